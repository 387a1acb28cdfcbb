import { connect } from 'node:net';
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

  it('logs nothing above info for requests it rightly refuses: broken framing on a rate-limited route', async () => {
    const { port } = app.server.address() as { port: number };
    const broken = [
      'Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
      'Transfer-Encoding: bogus\r\n\r\n',
      'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    ];
    const from = lines.length;
    for (const [i, rest] of broken.entries()) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(`POST /api/users/login HTTP/1.1\r\nHost: x\r\nX-Request-Id: broken-${i}\r\n${rest}`),
        );
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk.toString();
        });
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    }
    // Hooks of a request whose socket is gone may still be running: give them a moment to log.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loud = lines.slice(from).filter((line) => Number(line.level) > 30);
    expect(loud).toEqual([]);
  });
});
