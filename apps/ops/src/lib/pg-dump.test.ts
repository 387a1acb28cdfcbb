import { copyFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres15, seedConduit, startPostgres15 } from '../../test/postgres15.js';
import { CliError, ExitCode } from './errors.js';
import { compareStats, connectionEnv, dumpDatabase, restoreDump, statsOf, verifyDump } from './pg-dump.js';

describe('pg_dump / pg_restore round trip (real PostgreSQL 15)', () => {
  let server: Postgres15;
  let dir: string;
  let sourceUrl: string;

  beforeAll(async () => {
    server = await startPostgres15();
    dir = await mkdtemp(join(tmpdir(), 'conduit-ops-dump-'));
    sourceUrl = await server.createDatabase('source');
    await seedConduit(sourceUrl);
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('dumps, verifies and restores into a new database with identical row counts and checksums', async () => {
    const file = join(dir, 'roundtrip.dump');
    const manifest = await dumpDatabase(sourceUrl, file, { binDir: server.binDir });
    expect(manifest.tables.map((t) => t.table)).toEqual([
      'audit.events',
      'public.articles',
      'public.comments',
      'public.users',
    ]);
    expect(manifest.tables.find((t) => t.table === 'public.comments')?.rows).toBe(600);
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await readFile(file)).subarray(0, 5).toString()).toBe('PGDMP');

    await verifyDump(file, manifest.sha256, { binDir: server.binDir });
    const targetUrl = await server.createDatabase('restored');
    await restoreDump(file, targetUrl, { binDir: server.binDir });
    const restored = await statsOf(targetUrl);
    expect(compareStats(manifest.tables, restored)).toEqual([]);
    expect(restored).toEqual(manifest.tables);
  });

  it('records the statistics of the dumped snapshot, not of writes that happen during the dump', async () => {
    const file = join(dir, 'snapshot.dump');
    const before = await statsOf(sourceUrl);
    const manifest = await dumpDatabase(sourceUrl, file, { binDir: server.binDir });
    const client = new pg.Client({ connectionString: sourceUrl });
    await client.connect();
    await client.query("INSERT INTO audit.events VALUES (1, 'after the dump')");
    await client.end();
    expect(manifest.tables).toEqual(before);
    expect(compareStats(manifest.tables, await statsOf(sourceUrl))).toEqual([
      expect.objectContaining({ table: 'audit.events', expected: { rows: 0, checksum: '0' } }),
    ]);
  });

  it('detects a checksum change when a single value differs, and a missing table', () => {
    const base = [
      { table: 'public.a', rows: 2, checksum: '10' },
      { table: 'public.b', rows: 1, checksum: '5' },
    ];
    expect(compareStats(base, [{ table: 'public.a', rows: 2, checksum: '11' }]).map((m) => m.table)).toEqual([
      'public.a',
      'public.b',
    ]);
  });

  it('rejects a corrupted dump by its recorded sha256 in one line, exit code 5', async () => {
    const file = join(dir, 'good.dump');
    const manifest = await dumpDatabase(sourceUrl, file, { binDir: server.binDir });
    const bad = join(dir, 'corrupt.dump');
    const bytes = await readFile(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    await writeFile(bad, bytes);
    const error = await verifyDump(bad, manifest.sha256, { binDir: server.binDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Verification);
    expect((error as CliError).message).toMatch(/is corrupt: sha256 .* does not match/);
    expect((error as CliError).message).not.toContain('\n');
  });

  it('rejects a truncated dump even without a recorded checksum (full read by pg_restore)', async () => {
    const file = join(dir, 'whole.dump');
    await dumpDatabase(sourceUrl, file, { binDir: server.binDir });
    const cut = join(dir, 'truncated.dump');
    await copyFile(file, cut);
    const { size } = await stat(file);
    await truncate(cut, Math.floor(size * 0.6));
    const error = await verifyDump(cut, undefined, { binDir: server.binDir }).catch((e: unknown) => e);
    expect((error as CliError).exitCode).toBe(ExitCode.Verification);
    expect((error as CliError).message).toMatch(/truncated\.dump is unreadable: pg_restore failed/);
  });

  it('keeps the password out of the connection string handed to pg_dump', () => {
    const { dbname, env } = connectionEnv('postgres://app:s3cr%2Ft@db.internal:5432/conduit?sslmode=require');
    expect(dbname).toBe('postgres://app@db.internal:5432/conduit?sslmode=require');
    expect(env.PGPASSWORD).toBe('s3cr/t');
  });
});
