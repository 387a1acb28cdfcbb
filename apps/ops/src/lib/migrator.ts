import pg from 'pg';
import type { Migrator } from './context.js';

async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Runs the API's own migration runner (apps/api/src/db/migrate.ts), so the CLI, the migrate Job and the API
 * can never disagree about the schema or the lock. Loaded on demand: other commands do not need the API.
 */
export async function loadApiMigrator(): Promise<Migrator> {
  const { migrationStatus, runMigrations } = await import('@conduit/api');
  return {
    run: (url, log) => withPool(url, (pool) => runMigrations(pool, { log })),
    status: (url) => withPool(url, (pool) => migrationStatus(pool)),
  };
}
