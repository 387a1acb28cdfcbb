import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { CliError, verificationError } from './errors.js';

/** Row count and an order-independent checksum of one table. */
export interface TableStat {
  readonly table: string;
  readonly rows: number;
  readonly checksum: string;
}

/** Stored next to every dump as `<dump>.manifest.json`: what the source held at the dump's snapshot. */
export interface DumpManifest {
  readonly format: 1;
  readonly database: string;
  readonly createdAt: string;
  readonly serverVersion: string;
  readonly sha256: string;
  readonly size: number;
  readonly tables: readonly TableStat[];
}

export interface PgTools {
  /** Directory of pg_dump/pg_restore; empty means PATH. Their major must be >= the server's. */
  readonly binDir?: string;
}

const tool = (tools: PgTools, name: string) => (tools.binDir ? join(tools.binDir, name) : name);

/**
 * Splits a URL into a password-free connection string and PGPASSWORD, so the password never appears in a
 * process list or an error message.
 */
export function connectionEnv(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('the database URL is not a valid postgres:// URL', 2);
  }
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env };
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        new CliError(
          error.code === 'ENOENT'
            ? `${command} not found (install postgresql-client, or pass --pg-bin-dir)`
            : error.message,
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const name = command.split('/').pop();
        const reason = stderr.split('\n').find((line) => line.trim() !== '') ?? `exit code ${code}`;
        reject(new CliError(`${name} failed: ${reason.replace(/^[a-z_]+: (error: )?/, '')}`));
      }
    });
  });
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Row counts and checksums of every ordinary table outside the system schemas. The checksum sums the first
 * 64 bits of each row's md5, so it does not depend on row order (a restore reorders freely) and needs no
 * memory per row.
 */
export async function tableStats(client: pg.ClientBase): Promise<TableStat[]> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY 1, 2`,
  );
  const stats: TableStat[] = [];
  for (const { schema, name } of tables) {
    const { rows } = await client.query<{ rows: string; checksum: string }>(
      `SELECT count(*)::text AS rows,
              coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text AS checksum
         FROM ${quoteIdent(schema)}.${quoteIdent(name)} t`,
    );
    stats.push({
      table: `${schema}.${name}`,
      rows: Number(rows[0]?.rows ?? 0),
      checksum: rows[0]?.checksum ?? '0',
    });
  }
  return stats;
}

/**
 * pg_dump in custom format. The table statistics are read in the very snapshot pg_dump dumps (exported from
 * a REPEATABLE READ transaction), so the manifest describes exactly the dump's content even while the
 * application keeps writing; the restore drill compares against it.
 */
export async function dumpDatabase(url: string, file: string, tools: PgTools = {}): Promise<DumpManifest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string; version: string }>(
      "SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS version",
    );
    const { snapshot, version } = rows[0]!;
    const tables = await tableStats(client);
    const { dbname, env } = connectionEnv(url);
    await run(
      tool(tools, 'pg_dump'),
      ['--format=custom', '--compress=6', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${dbname}`],
      env,
    );
    await client.query('COMMIT');
    const { size } = await stat(file);
    return {
      format: 1,
      database: databaseName(url),
      createdAt: new Date().toISOString(),
      serverVersion: version,
      sha256: await sha256File(file),
      size,
      tables,
    };
  } finally {
    await client.end();
  }
}

/**
 * Proves a dump is whole before anything is restored from it: the SHA-256 recorded at dump time (when
 * known), then a full read of the archive by pg_restore into /dev/null, which decompresses every data block
 * and so catches truncation and corruption that the table of contents alone would not show.
 */
export async function verifyDump(
  file: string,
  expectedSha256: string | undefined,
  tools: PgTools = {},
  /** How messages name the dump (its S3 URL rather than a temporary path). */
  label = file,
): Promise<void> {
  const { size } = await stat(file).catch(() => {
    throw verificationError(`dump ${label} does not exist`);
  });
  if (size === 0) throw verificationError(`dump ${label} is empty`);
  if (expectedSha256) {
    const actual = await sha256File(file);
    if (actual !== expectedSha256) {
      throw verificationError(
        `dump ${label} is corrupt: sha256 ${actual.slice(0, 12)}… does not match the recorded ${expectedSha256.slice(0, 12)}…`,
      );
    }
  }
  try {
    await run(tool(tools, 'pg_restore'), ['--list', file], process.env);
    await run(tool(tools, 'pg_restore'), ['--file=/dev/null', file], process.env);
  } catch (error) {
    throw verificationError(`dump ${label} is unreadable: ${(error as Error).message}`);
  }
}

/** Restores into an existing, empty database in one transaction: it lands whole or not at all. */
export async function restoreDump(file: string, targetUrl: string, tools: PgTools = {}): Promise<void> {
  const { dbname, env } = connectionEnv(targetUrl);
  await run(
    tool(tools, 'pg_restore'),
    ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file],
    env,
  );
}

export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (error) {
    throw new CliError(`cannot create database "${name}": ${(error as Error).message}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function statsOf(url: string): Promise<TableStat[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await tableStats(client);
  } finally {
    await client.end();
  }
}

export interface StatMismatch {
  readonly table: string;
  readonly expected: { rows: number; checksum: string } | null;
  readonly actual: { rows: number; checksum: string } | null;
}

export function compareStats(expected: readonly TableStat[], actual: readonly TableStat[]): StatMismatch[] {
  const byName = new Map(actual.map((s) => [s.table, s]));
  const mismatches: StatMismatch[] = [];
  for (const e of expected) {
    const a = byName.get(e.table);
    byName.delete(e.table);
    if (!a || a.rows !== e.rows || a.checksum !== e.checksum) {
      mismatches.push({
        table: e.table,
        expected: { rows: e.rows, checksum: e.checksum },
        actual: a ? { rows: a.rows, checksum: a.checksum } : null,
      });
    }
  }
  for (const a of byName.values()) {
    mismatches.push({ table: a.table, expected: null, actual: { rows: a.rows, checksum: a.checksum } });
  }
  return mismatches;
}

/**
 * Puts a restored database in place of the live one by renaming both; the old one stays as `retiredName` for
 * a rollback. Open sessions of the live database are ended first, as a rename needs it idle.
 */
export async function swapDatabases(
  serverUrl: string,
  live: string,
  replacement: string,
  retiredName: string,
): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${quoteIdent(live)} ALLOW_CONNECTIONS false`);
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [live],
    );
    await client.query(`ALTER DATABASE ${quoteIdent(live)} RENAME TO ${quoteIdent(retiredName)}`);
    await client.query(`ALTER DATABASE ${quoteIdent(replacement)} RENAME TO ${quoteIdent(live)}`);
    await client.query(`ALTER DATABASE ${quoteIdent(retiredName)} ALLOW_CONNECTIONS true`);
  } finally {
    await client.end();
  }
}
