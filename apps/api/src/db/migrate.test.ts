import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../test/database.js';
import { loadMigrations, migrationStatus, runMigrations } from './migrate.js';

async function migrationsIn(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conduit-migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

const pools: pg.Pool[] = [];
async function pool(): Promise<pg.Pool> {
  const created = new pg.Pool({ connectionString: await createDatabase('migrate'), max: 4 });
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

describe('runMigrations', () => {
  it('applies the real migrations and reports nothing pending', async () => {
    const db = await pool();
    const applied = await runMigrations(db);
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrationStatus(db)).toMatchObject({ pending: [] });
    expect(await runMigrations(db)).toEqual([]);
  });

  it('serialises concurrent runners with the advisory lock: each migration applied exactly once', async () => {
    // Not idempotent on purpose: a second application would fail, and the sleep widens the race window.
    const dir = await migrationsIn({
      '0001_first.sql': 'SELECT pg_sleep(0.3); CREATE TABLE first (id int);',
      '0002_second.sql': 'CREATE TABLE second (id int);',
    });
    const migrations = await loadMigrations(dir);
    const url = await createDatabase('migrate_race');
    const a = new pg.Pool({ connectionString: url, max: 1 });
    const b = new pg.Pool({ connectionString: url, max: 1 });
    pools.push(a, b);
    const [first, second] = await Promise.all([
      runMigrations(a, { migrations }),
      runMigrations(b, { migrations }),
    ]);
    expect([...first, ...second].sort()).toEqual(['0001_first', '0002_second']);
    const { rows } = await a.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(['0001', '0002']);
  });

  it('rolls a failing migration back and stops there', async () => {
    const db = await pool();
    const migrations = await loadMigrations(
      await migrationsIn({
        '0001_ok.sql': 'CREATE TABLE ok (id int);',
        '0002_broken.sql': 'CREATE TABLE half (id int); SELECT no_such_function();',
        '0003_after.sql': 'CREATE TABLE after (id int);',
      }),
    );
    await expect(runMigrations(db, { migrations })).rejects.toThrow(/migration 0002_broken failed/);
    const { rows } = await db.query(
      "SELECT to_regclass('half') AS half, to_regclass('after') AS after, to_regclass('ok') AS ok",
    );
    expect(rows[0]).toEqual({ half: null, after: null, ok: 'ok' });
    expect((await migrationStatus(db, migrations)).pending).toEqual(['0002_broken', '0003_after']);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const db = await pool();
    const before = await loadMigrations(await migrationsIn({ '0001_t.sql': 'CREATE TABLE t (id int);' }));
    await runMigrations(db, { migrations: before });
    const after = await loadMigrations(await migrationsIn({ '0001_t.sql': 'CREATE TABLE t (id bigint);' }));
    await expect(runMigrations(db, { migrations: after })).rejects.toThrow(/checksum mismatch/);
  });

  it('rejects badly named migration files', async () => {
    await expect(loadMigrations(await migrationsIn({ 'init.sql': 'SELECT 1' }))).rejects.toThrow(
      /NNNN_name\.sql/,
    );
  });
});
