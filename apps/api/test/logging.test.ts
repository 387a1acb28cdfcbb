import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { runMigrations } from '../src/db/migrate.js';
import { loggerOptions } from '../src/logger.js';
import { createDatabase } from './database.js';
import { testConfig } from './helpers.js';

describe('logging', () => {
  const lines: Record<string, unknown>[] = [];
  let app: App;
  let base: string;
  beforeAll(async () => {
    const url = await createDatabase('logging');
    const pool = new pg.Pool({ connectionString: url });
    await runMigrations(pool);
    await pool.end();
    const config = testConfig({ DATABASE_URL: url, LOG_LEVEL: 'info' });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    app = await buildApp(config, { loggerInstance: pino(loggerOptions(config), sink) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('writes one JSON access line per request with its request id, and none for probes', async () => {
    await fetch(`${base}/api/tags`, { headers: { 'x-request-id': 'log-test-1' } });
    await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'log-test-probe' } });
    const mine = lines.filter((line) => line.reqId === 'log-test-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request completed',
      res: { statusCode: 200 },
      req: { method: 'GET' },
    });
    expect(lines.some((line) => line.reqId === 'log-test-probe')).toBe(false);
  });

  it('never logs passwords, tokens or the Authorization header', async () => {
    const password = 'hunter2-very-secret';
    const registered = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { username: 'logger', email: 'logger@example.com', password } }),
    });
    const { user } = (await registered.json()) as { user: { token: string } };
    await fetch(`${base}/api/user`, { headers: { authorization: `Token ${user.token}` } });
    await fetch(`${base}/api/user`, { headers: { authorization: 'Token not-a-jwt' } });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(password);
    expect(text).not.toContain(user.token);
    expect(text).not.toContain('not-a-jwt');
  });
});
