import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@conduit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDataFolder } from './data-folder.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres.js';

const postgresRunningIn = (dir: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .some((line) => line.includes('bin/postgres') && line.includes(dir));

const failure = (promise: Promise<EmbeddedDatabase>) =>
  promise.then(
    async (database) => {
      await database.stop();
      throw new Error('the embedded PostgreSQL started');
    },
    (error: Error) => error,
  );

describe('startEmbeddedPostgres', () => {
  let parent: string;
  const stray: ChildProcess[] = [];
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'conduit-embedded-unit-'));
    // Our own temporary folder: as root, the `postgres` OS user must pass through it.
    await chmod(parent, 0o755);
  });
  afterAll(async () => {
    for (const child of stray) child.kill();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('stops a start that misses its deadline, tries once more, then fails with one line naming the timeout and the log', async () => {
    const folder = await localDataFolder(join(parent, 'slow'));
    const lines: string[] = [];
    const error = await failure(
      startEmbeddedPostgres({ folder, port: await freePort(), startTimeoutMs: 1, retryPauseMs: 10 }, (line) =>
        lines.push(line),
      ),
    );
    const log = join(folder, 'postgres.log');
    expect(error.message).toBe(
      `the embedded PostgreSQL did not start on 127.0.0.1:${/:(\d+):/.exec(error.message)?.[1]}: it did not accept connections within 0.001 s (twice); log: ${log}`,
    );
    expect(lines).toContain(
      'embedded PostgreSQL did not start: it did not accept connections within 0.001 s; trying once more',
    );
    expect((await readFile(log, 'utf8')).match(/^--- Conduit: start attempt \d/gm)).toHaveLength(2);
    expect(postgresRunningIn(join(folder, 'postgres'))).toBe(false);
  }, 60_000);

  it('says it is still starting, and removes a lock file whose PID now belongs to another process', async () => {
    const folder = await localDataFolder(join(parent, 'stale'));
    const port = await freePort();
    await (await startEmbeddedPostgres({ folder, port }, () => {})).stop();
    // A PID reused after a crash, as in a restarted container: alive, but not a PostgreSQL.
    const other = spawn('sleep', ['60']);
    stray.push(other);
    await writeFile(join(folder, 'postgres', 'postmaster.pid'), `${other.pid}\n`);

    const lines: string[] = [];
    const database = await startEmbeddedPostgres({ folder, port, progressEveryMs: 20 }, (line) =>
      lines.push(line),
    );
    try {
      expect(lines).toContain(`removed a stale postmaster.pid (PID ${other.pid} is another process now)`);
      expect(lines.some((line) => line.startsWith('embedded PostgreSQL is still starting ('))).toBe(true);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await database.stop();
    }
  }, 60_000);

  it('leaves a running server and its lock file alone, and says which PID holds the data folder', async () => {
    const folder = await localDataFolder(join(parent, 'busy'));
    const running = await startEmbeddedPostgres({ folder, port: await freePort() }, () => {});
    try {
      const lockFile = join(folder, 'postgres', 'postmaster.pid');
      const pid = Number.parseInt(await readFile(lockFile, 'utf8'), 10);
      const error = await failure(
        startEmbeddedPostgres({ folder, port: await freePort(), retryPauseMs: 10 }, () => {}),
      );
      expect(error.message).toMatch(
        new RegExp(
          `: another PostgreSQL \\(PID ${pid}\\) is running on ${join(folder, 'postgres')}; stop it first \\(is Conduit already running\\?\\) \\(twice\\); log: `,
        ),
      );
      expect((await stat(lockFile)).isFile()).toBe(true);
      const client = new pg.Client({ connectionString: running.url });
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await running.stop();
    }
  }, 60_000);
});
