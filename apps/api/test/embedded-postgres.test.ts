import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startApiProcess } from '@conduit/testing';
import { afterAll, describe, expect, it } from 'vitest';

const postgresRunningIn = (dir: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .some((line) => line.includes('bin/postgres') && line.includes(dir));

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  let root: string;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('starts a real PostgreSQL, keeps data across restarts, and leaves no server behind on Ctrl-C', async () => {
    root = await mkdtemp(join(tmpdir(), 'conduit-embedded-'));
    const dataDir = join(root, 'postgres');
    const env = {
      NODE_ENV: 'development',
      DATABASE_URL: '',
      EMBEDDED_POSTGRES_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      JWT_SECRET: 'a'.repeat(32),
    };
    const first = await startApiProcess({ env, timeoutMs: 60_000 });
    const registered = await fetch(`${first.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: { username: 'keeper', email: 'keeper@example.com', password: 'keep-me-1' },
      }),
    });
    expect(registered.status).toBe(201);
    expect(postgresRunningIn(dataDir)).toBe(true);
    expect(await first.stop('SIGINT')).toBe(0);
    expect(postgresRunningIn(dataDir)).toBe(false);

    const second = await startApiProcess({ env, timeoutMs: 60_000 });
    try {
      const login = await fetch(`${second.url}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { email: 'keeper@example.com', password: 'keep-me-1' } }),
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    expect(postgresRunningIn(dataDir)).toBe(false);
  });
});
