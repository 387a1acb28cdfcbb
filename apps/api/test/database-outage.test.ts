import { randomBytes } from 'node:crypto';
import { freePort, startApiProcess, startPostgres, TEST_DATABASE_USER } from '@conduit/testing';
import { describe, expect, it } from 'vitest';

const get = async (url: string) => {
  const started = performance.now();
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
}

async function expectOutage(url: string): Promise<void> {
  expect((await get(`${url}/readyz`)).status).toBe(503);
  expect((await get(`${url}/healthz`)).status).toBe(200);
  const tags = await get(`${url}/api/tags`);
  expect(tags.status).toBe(503);
  expect(tags.ms).toBeLessThan(1500);
  expect(JSON.parse(tags.body)).toHaveProperty('errors');
}

describe('database outages (real PostgreSQL stopped and started)', () => {
  it('boots without its database, answers 503 fast, and recovers without a restart, twice', async () => {
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    const api = await startApiProcess({
      env: {
        DATABASE_URL: `postgres://${TEST_DATABASE_USER}:${password}@127.0.0.1:${port}/postgres`,
        DATABASE_CONNECT_TIMEOUT_MS: '500',
      },
      waitFor: 'live',
    });
    let db: Awaited<ReturnType<typeof startPostgres>> | undefined;
    try {
      // Down at start: the process stays up, not ready, failing fast.
      await expectOutage(api.url);

      db = await startPostgres({ port, password });
      await until(
        'ready after the database appeared',
        async () => (await get(`${api.url}/readyz`)).status === 200,
      );
      expect((await get(`${api.url}/api/tags`)).status).toBe(200);

      // Down mid-run.
      await db.suspend();
      await expectOutage(api.url);
      await db.resume();
      await until(
        'ready after the database came back',
        async () => (await get(`${api.url}/readyz`)).status === 200,
      );
      expect((await get(`${api.url}/api/tags`)).status).toBe(200);
      expect(api.child.exitCode).toBeNull();
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
      await db?.stop();
    }
  });
});
