import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';

const preflight = (url: string, origin: string) =>
  fetch(`${url}/api/articles`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    },
  });

describe('CORS', () => {
  let open: TestApi;
  let closed: TestApi;
  beforeAll(async () => {
    [open, closed] = await Promise.all([
      startTestApi({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }),
      startTestApi(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), closed?.close()]);
  });

  it('allows the configured origins, with the Authorization header', async () => {
    const response = await preflight(open.url, 'https://admin.example.com');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const simple = await fetch(`${open.url}/api/tags`, { headers: { origin: 'https://app.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('grants nothing to other origins', async () => {
    const response = await fetch(`${open.url}/api/tags`, { headers: { origin: 'https://evil.example.net' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default', async () => {
    const response = await fetch(`${closed.url}/api/tags`, {
      headers: { origin: 'https://app.example.com' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
