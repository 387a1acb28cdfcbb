import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../test/database.js';
import { inTransaction } from '../modules/shared.js';
import { createPool, readPassword } from './pool.js';
import { DatabaseUnavailableError } from './unavailable.js';

describe('createPool with a password file (real PostgreSQL)', () => {
  let dir: string;
  let url: URL;
  let password: string;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conduit-pool-'));
    url = new URL(await createDatabase('pool'));
    password = decodeURIComponent(url.password);
    // The URL's password is wrong: only the file can open connections.
    url.password = 'stale';
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await rm(dir, { recursive: true, force: true });
  });
  const pool = (file: string, passwordWaitMs = 0, onPasswordRejected?: (attempt: number) => void) => {
    const created = createPool({
      connectionString: url.toString(),
      passwordFile: file,
      passwordWaitMs,
      ...(onPasswordRejected ? { onPasswordRejected } : {}),
      max: 2,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
    });
    pools.push(created);
    return created;
  };
  const file = async (content: string) => {
    const path = join(dir, randomBytes(4).toString('hex'));
    await writeFile(path, content);
    return path;
  };

  it("connects with the file's password over the URL's, without the trailing newline", async () => {
    const db = pool(await file(`${password}\n`));
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('answers a refused password as unavailable (503) once the wait is over', async () => {
    const db = pool(await file('wrong'), 0);
    const error = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(((error as Error).cause as { code?: string }).code).toBe('28P01');
  });

  it('keeps retrying a refused password, re-reading the file, until it is fixed within the wait', async () => {
    const path = await file('wrong');
    const rejected: number[] = [];
    const db = pool(path, 10_000, (attempt) => rejected.push(attempt));
    // Fixed a moment after the first refusal: the same query then succeeds.
    const query = db.query('SELECT 1 AS one');
    setTimeout(() => void writeFile(path, password), 300);
    expect((await query).rows).toEqual([{ one: 1 }]);
    expect(rejected[0]).toBe(1);
  });

  it('refuses an empty password file, naming it', async () => {
    const path = await file('\n');
    await expect(readPassword(path)).rejects.toThrow(`database password file ${path} is empty`);
  });

  it('answers a password file it cannot read as unavailable (503), naming the file, not as a bug (500)', async () => {
    for (const path of [await file(''), join(dir, 'missing')]) {
      const error = await pool(path)
        .query('SELECT 1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(String((error as Error).cause)).toContain(path);
    }
  });
});

describe('createPool when the server ends a checked-out session between two queries (real PostgreSQL)', () => {
  let url: string;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    url = await createDatabase('pool-terminated');
  });
  afterAll(() => Promise.all(pools.map((pool) => pool.end())));

  // A shutdown or an administrator's kill reaches a connection a transaction holds while its request waits
  // for the CPU: pg emits 'error' with no query to fail it, which would crash a process with no listener.
  it('neither crashes the process nor returns the dead connection: the transaction fails, the next query works', async () => {
    const idleErrors: Error[] = [];
    const db = createPool({
      connectionString: url,
      max: 1,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
      onIdleError: (error) => idleErrors.push(error),
    });
    pools.push(db);
    const killer = createPool({
      connectionString: url,
      max: 1,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
    });
    pools.push(killer);
    const failure = await inTransaction(db, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // The FATAL arrives while no query runs on this client.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query('SELECT 1');
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(idleErrors.map((e) => e.message).join()).toMatch(/terminat/);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('createPool names parameterised queries (real PostgreSQL)', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = createPool({
      connectionString: await createDatabase('named'),
      max: 1,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 5000,
    });
  });
  afterAll(() => pool?.end());

  it('prepares a query with values once per connection, and leaves one without values unnamed', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect((await pool.query<{ n: number }>(text, [1])).rows).toEqual([{ n: 2 }]);
    expect((await pool.query<{ n: number }>(text, [41])).rows).toEqual([{ n: 42 }]);
    // One connection (max 1): the session that ran them lists its prepared statements.
    const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
    expect(rows).toEqual([{ statement: text }]);
  });
});
