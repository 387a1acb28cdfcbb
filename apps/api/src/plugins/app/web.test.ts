import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_CONTENT_SECURITY_POLICY } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';

describe('local one-origin serving of the SPA (WEB_ROOT)', () => {
  let api: TestApi;
  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'conduit-web-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Conduit</title>');
    await writeFile(join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
    api = await startTestApi({ WEB_ROOT: root });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves index.html for client-side routes, uncached, with the production CSP', async () => {
    const response = await fetch(`${api.url}/article/some-slug`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Conduit</title>');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(WEB_CONTENT_SECURITY_POLICY);
  });

  it('serves hashed assets as immutable', async () => {
    const response = await fetch(`${api.url}/assets/app-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('leaves /api to the API: unknown API paths are 404 in the spec shape, not the SPA', async () => {
    const response = await fetch(`${api.url}/api/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toHaveProperty('errors');
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});
