import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { migrationsDir } from '../paths.js';

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

type Log = (message: string) => void;

// One fixed key for every Conduit process: whoever holds it migrates, the others wait and then find
// nothing left to do. Session-level, so it is released even if the runner dies mid-way.
export const MIGRATION_LOCK_KEY = 0x636f6e64; // "cond"

const FILE_PATTERN = /^(\d{4,})_([a-z0-9_-]+)\.sql$/;

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new Error(`migration file "${file}" must be named NNNN_name.sql`);
      const sql = await readFile(join(dir, file), 'utf8');
      return {
        version: match[1]!,
        name: match[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

async function ensureTable(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedChecksums(client: pg.ClientBase): Promise<Map<string, string>> {
  const exists = await client.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists.rows[0]?.present) return new Map();
  const { rows } = await client.query<{ version: string; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function verifyHistory(migrations: readonly Migration[], applied: Map<string, string>): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const [version, checksum] of applied) {
    const migration = known.get(version);
    // An applied migration missing from disk means this binary is older than the schema: allowed, because
    // during a canary the previous version keeps running against the expanded schema.
    if (migration && migration.checksum !== checksum) {
      throw new Error(
        `migration ${version}_${migration.name} was changed after it was applied (checksum mismatch)`,
      );
    }
  }
}

export async function migrationStatus(
  pool: pg.Pool,
  migrations?: readonly Migration[],
): Promise<MigrationStatus> {
  const all = migrations ?? (await loadMigrations());
  const applied = await appliedChecksums(pool as unknown as pg.ClientBase);
  verifyHistory(all, applied);
  return {
    applied: [...applied.keys()],
    pending: all.filter((m) => !applied.has(m.version)).map((m) => `${m.version}_${m.name}`),
  };
}

/**
 * Applies pending migrations, each in its own transaction, while holding an advisory lock so that replicas
 * and the migrate Job starting at the same time apply each migration exactly once.
 */
export async function runMigrations(
  pool: pg.Pool,
  { log = () => {}, migrations }: { log?: Log; migrations?: readonly Migration[] } = {},
): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  const done: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await ensureTable(client);
      const applied = await appliedChecksums(client);
      verifyHistory(all, applied);
      for (const migration of all) {
        if (applied.has(migration.version)) continue;
        const label = `${migration.version}_${migration.name}`;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${label} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(label);
        log(`applied migration ${label}`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return done;
}
