import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UserResponse } from '@conduit/contracts';
import { type ApiProcess, freePort, startApiProcess } from '@conduit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, DEMO_SIZE } from '../src/db/seed.js';
import { createDatabase } from './database.js';
import { client } from './http.js';

const postgresRunningIn = (dir: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .some((line) => line.includes('bin/postgres') && line.includes(dir));

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

/** The start-up line, logged once migrations and demo data are done. */
async function readyLine(api: ApiProcess): Promise<string> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const line = api
      .output()
      .split('\n')
      .find((entry) => entry.includes('Conduit is ready on'));
    if (line) return (JSON.parse(line) as { msg: string }).msg;
  }
  throw new Error(`no start-up line:\n${api.output()}`);
}

const articlesCount = async (url: string) =>
  (await client(url).get<{ articlesCount: number }>('/api/articles?limit=1')).body.articlesCount;

const signIn = (url: string, user: { email: string; password: string }) =>
  client(url).post<UserResponse>('/api/users/login', { body: { user } });

const parents: string[] = [];
/** A temporary folder of ours to hold a data folder, with the mode a test wants its parent to have. */
async function parentWithMode(mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conduit-embedded-'));
  parents.push(dir);
  await chmod(dir, mode);
  return dir;
}

/** `npm start` as a person runs it: development, no DATABASE_URL, no JWT_SECRET. */
async function localEnv(folder: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'development',
    DATABASE_URL: '',
    JWT_SECRET: '',
    LOCAL_DATA_DIR: folder,
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    ...extra,
  };
}

const lastLine = (api: ApiProcess) => api.output().trim().split('\n').at(-1);

/** The exit code of a start expected to fail; one that keeps running instead is stopped, not waited for. */
async function failedStart(env: Record<string, string>): Promise<{ code: unknown; api: ApiProcess }> {
  const api = await startApiProcess({ env, waitFor: 'nothing' });
  const code = await Promise.race([api.exited(), sleep(60_000, 'still running')]);
  await api.stop('SIGINT');
  return { code, api };
}

describe('npm start on the embedded PostgreSQL (no DATABASE_URL)', () => {
  afterAll(async () => {
    for (const dir of parents) await rm(dir, { recursive: true, force: true });
  });

  it('loads the demo data on a first start, keeps data and sign-ins across restarts, and changes no mode outside its folder', async () => {
    // The mode of /tmp: a start that chmods the data folder's parent (as it once did) turns it into 755.
    const parent = await parentWithMode(0o1777);
    const folder = join(parent, 'data');
    const env = await localEnv(folder);
    const keeper = { username: 'keeper', email: 'keeper@example.com', password: 'keep-me-1' };

    const first = await startApiProcess({ env, timeoutMs: 120_000 });
    let token: string;
    try {
      // Ready (readyz 200) only once the demo data is in.
      expect(await articlesCount(first.url)).toBe(DEMO_SIZE.articles);
      expect(await readyLine(first)).toBe(
        `Conduit is ready on ${first.url} — sign in as ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`,
      );
      expect(first.output()).toContain('the database is empty: loading the demo data set');
      const login = await signIn(first.url, DEMO_ACCOUNT);
      expect(login.status).toBe(200);
      token = login.body.user.token;
      expect((await client(first.url).post('/api/users', { body: { user: keeper } })).status).toBe(201);
      expect(postgresRunningIn(join(folder, 'postgres'))).toBe(true);
    } finally {
      expect(await first.stop('SIGINT')).toBe(0);
    }
    expect(postgresRunningIn(join(folder, 'postgres'))).toBe(false);
    expect(await modeOf(parent)).toBe(0o1777);
    expect(await modeOf(folder)).toBe(0o711);
    expect(await modeOf(join(folder, 'jwt-secret'))).toBe(0o600);
    expect(await modeOf(join(folder, 'postgres.password'))).toBe(0o600);

    const second = await startApiProcess({ env, timeoutMs: 120_000 });
    try {
      expect(await readyLine(second)).toBe(
        `Conduit is ready on ${second.url} — sign in as ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`,
      );
      expect(second.output()).not.toContain('loading the demo data set');
      expect(await articlesCount(second.url)).toBe(DEMO_SIZE.articles);
      const me = await client(second.url).get<UserResponse>('/api/user', { token });
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe(DEMO_ACCOUNT.email);
      expect((await signIn(second.url, keeper)).status).toBe(200);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }

    // The token check can fail: with another secret in the data folder, the token from before is refused.
    await writeFile(join(folder, 'jwt-secret'), `${'f'.repeat(64)}\n`);
    const third = await startApiProcess({ env, timeoutMs: 120_000 });
    try {
      expect((await client(third.url).get('/api/user', { token })).status).toBe(401);
    } finally {
      expect(await third.stop('SIGINT')).toBe(0);
    }
    expect(postgresRunningIn(join(folder, 'postgres'))).toBe(false);
    expect(await modeOf(parent)).toBe(0o1777);
  }, 300_000);

  it('starts empty with SEED_DEMO_DATA=false, and then offers no demo sign-in', async () => {
    const folder = join(await parentWithMode(0o755), 'data');
    const api = await startApiProcess({
      env: await localEnv(folder, { SEED_DEMO_DATA: 'false' }),
      timeoutMs: 120_000,
    });
    try {
      expect(await readyLine(api)).toBe(`Conduit is ready on ${api.url}`);
      expect(await articlesCount(api.url)).toBe(0);
      expect(api.output()).not.toContain('loading the demo data set');
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
    }
  }, 120_000);

  it('stops with one line naming the port in use and the log, after trying twice', async () => {
    const folder = join(await parentWithMode(0o755), 'data');
    const port = await freePort();
    const squatter = createServer().listen(port, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const { code, api } = await failedStart(
        await localEnv(folder, { EMBEDDED_POSTGRES_PORT: String(port) }),
      );
      expect(code).toBe(1);
      expect(lastLine(api)).toMatch(
        new RegExp(
          `^the embedded PostgreSQL did not start on 127\\.0\\.0\\.1:${port}: port 127\\.0\\.0\\.1:${port} is already in use \\([^)]*Address already in use\\): set EMBEDDED_POSTGRES_PORT to a free port, or stop what listens there \\(twice\\); log: ${join(folder, 'postgres.log')}$`,
        ),
      );
      expect(lastLine(api)).not.toMatch(/permission/i);
      expect(postgresRunningIn(join(folder, 'postgres'))).toBe(false);
    } finally {
      squatter.close();
    }
  }, 120_000);

  it('never opens up a parent folder: one that the server cannot pass through is named in one line, unchanged', async () => {
    const parent = await parentWithMode(0o700);
    const folder = join(parent, 'data');
    const env = await localEnv(folder);
    if (process.getuid?.() === 0) {
      // As root the server runs as the `postgres` OS user, which a 0700 root folder keeps out.
      const { code, api } = await failedStart(env);
      expect(code).toBe(1);
      expect(lastLine(api)).toBe(
        `the embedded PostgreSQL runs as the OS user "postgres" when Conduit runs as root, and it cannot reach ${folder}: ${parent} (mode 700, owner uid 0) does not let it through; allow it (chmod o+x ${parent}) or set LOCAL_DATA_DIR to a folder it can reach`,
      );
    } else {
      // Not root: the server runs as us, the owner, so the folder is no obstacle.
      const api = await startApiProcess({ env, timeoutMs: 120_000 });
      expect(await api.stop('SIGINT')).toBe(0);
    }
    expect(await modeOf(parent)).toBe(0o700);
  }, 120_000);
});

describe('demo data with an external DATABASE_URL', () => {
  it('is not loaded unless asked, and is loaded into an empty database when SEED_DEMO_DATA=true', async () => {
    const plain = await startApiProcess({ env: { DATABASE_URL: await createDatabase('nodemo') } });
    try {
      expect(await readyLine(plain)).toBe(`Conduit is ready on ${plain.url}`);
      expect(await articlesCount(plain.url)).toBe(0);
    } finally {
      expect(await plain.stop('SIGINT')).toBe(0);
    }

    const asked = await startApiProcess({
      env: { DATABASE_URL: await createDatabase('demo'), SEED_DEMO_DATA: 'true' },
    });
    try {
      expect(await articlesCount(asked.url)).toBe(DEMO_SIZE.articles);
      expect(await readyLine(asked)).toBe(
        `Conduit is ready on ${asked.url} — sign in as ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`,
      );
      expect((await signIn(asked.url, DEMO_ACCOUNT)).status).toBe(200);
    } finally {
      expect(await asked.stop('SIGINT')).toBe(0);
    }
  }, 120_000);
});
