// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageChunk } from './page-chunk.js';

const KEY = 'conduit:page-chunk-reload';
const missing = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
/** Whether a promise is still pending after the queued work has run. */
const pending = async (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => false,
      () => false,
    ),
    new Promise((r) => setTimeout(() => r(true), 20)),
  ]);

describe('pageChunk: a page chunk the server no longer has reloads the page once per path', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    sessionStorage.clear();
    window.history.replaceState(null, '', '/');
  });

  it('returns the module, and forgets an earlier reload of the path', async () => {
    sessionStorage.setItem(KEY, '/login');
    const reload = vi.fn();
    await expect(pageChunk(() => Promise.resolve({ ok: 1 }), reload)()).resolves.toEqual({ ok: 1 });
    expect(sessionStorage.getItem(KEY)).toBeNull();
    expect(reload).not.toHaveBeenCalled();
  });

  it('reloads once on a failed chunk and renders nothing meanwhile; a second failure on that path throws', async () => {
    window.history.replaceState(null, '', '/login');
    const reload = vi.fn();
    expect(await pending(pageChunk(missing, reload)())).toBe(true);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(sessionStorage.getItem(KEY)).toBe('/login');
    // After the reload the chunk still fails: an outage, not an old page.
    await expect(pageChunk(missing, reload)()).rejects.toThrow('dynamically imported module');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('a failure on another path reloads again', async () => {
    sessionStorage.setItem(KEY, '/login');
    window.history.replaceState(null, '', '/editor');
    const reload = vi.fn();
    expect(await pending(pageChunk(missing, reload)())).toBe(true);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('throws instead of reloading where the reload cannot be remembered (storage refused): no loop', async () => {
    vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const reload = vi.fn();
    await expect(pageChunk(missing, reload)()).rejects.toThrow('dynamically imported module');
    await expect(pageChunk(() => Promise.resolve(1), reload)()).resolves.toBe(1);
    expect(reload).not.toHaveBeenCalled();
  });
});
