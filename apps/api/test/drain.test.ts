import { startApiProcess } from '@conduit/testing';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';

const status = (url: string) =>
  fetch(url).then(
    (response) => response.status,
    () => 0,
  );

describe('SIGTERM drain (real server process)', () => {
  it('fails readiness at once, keeps serving through the drain delay, finishes in-flight work, exits 0', async () => {
    const api = await startApiProcess({
      env: {
        DATABASE_URL: await createDatabase('drain'),
        SHUTDOWN_DRAIN_DELAY_MS: '1500',
        SHUTDOWN_TIMEOUT_MS: '5000',
        // Every API request takes 1 s, so one is surely in flight when the signal arrives.
        FAULT_LATENCY_MS: '1000',
      },
    });
    const inFlight = fetch(`${api.url}/api/tags`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    api.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await status(`${api.url}/readyz`)).toBe(503);
    // Still in the load balancer for a moment: new requests must succeed during the drain delay.
    const duringDrain = await fetch(`${api.url}/api/tags`);
    expect(duringDrain.status).toBe(200);
    expect(duringDrain.headers.get('connection')).toBe('close');

    const first = await inFlight;
    expect(first.status).toBe(200);
    expect(await first.json()).toHaveProperty('tags');

    expect(await api.exited()).toBe(0);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1500);
    expect(await status(`${api.url}/healthz`)).toBe(0);
    expect(api.output()).toMatch(/"msg":"draining"/);
  });

  it('stops at once on Ctrl-C (SIGINT) and exits 0', async () => {
    const api = await startApiProcess({
      env: { DATABASE_URL: await createDatabase('sigint'), SHUTDOWN_DRAIN_DELAY_MS: '30000' },
    });
    const started = Date.now();
    expect(await api.stop('SIGINT')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('boot', () => {
  it('stops with one line naming the bad setting', async () => {
    const api = await startApiProcess({ env: { PORT: '1', DATABASE_POOL_MAX: 'lots' }, waitFor: 'nothing' });
    expect(await api.exited()).toBe(1);
    expect(api.output().trim()).toBe(
      'invalid configuration: DATABASE_POOL_MAX must be a number (got "lots")',
    );
  });

  it('refuses production without a JWT secret', async () => {
    const api = await startApiProcess({
      env: { NODE_ENV: 'production', JWT_SECRET: '', DATABASE_URL: 'postgres://127.0.0.1:1/x' },
      waitFor: 'nothing',
    });
    expect(await api.exited()).toBe(1);
    expect(api.output()).toMatch(/^invalid configuration: JWT_SECRET is required in production/);
  });
});
