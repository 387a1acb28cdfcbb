import pg from 'pg';
import type { Migrator } from './context.js';
import { CliError } from './errors.js';

/** The part of @conduit/api's migration runner (apps/api/src/db/migrate.ts) the CLI calls. */
interface ApiMigrations {
  runMigrations(pool: pg.Pool, options: { log: (line: string) => void }): Promise<string[]>;
  migrationStatus(pool: pg.Pool): Promise<{ applied: readonly string[]; pending: readonly string[] }>;
}

// Kept in a variable so the API (and its Fastify dependencies) load only when a migration command runs.
const API_PACKAGE = '@conduit/api';

async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** Runs the API's own migrations, so the CLI and the API can never disagree about the schema. */
export async function loadApiMigrator(): Promise<Migrator> {
  const api = (await import(API_PACKAGE).catch(() => ({}))) as Partial<ApiMigrations>;
  if (typeof api.runMigrations !== 'function' || typeof api.migrationStatus !== 'function') {
    throw new CliError(
      `the API's migration runner is not available here (${API_PACKAGE} must export runMigrations and migrationStatus); use --job`,
    );
  }
  const { runMigrations, migrationStatus } = api as ApiMigrations;
  return {
    run: (url, log) => withPool(url, (pool) => runMigrations(pool, { log })),
    status: (url) => withPool(url, (pool) => migrationStatus(pool)),
  };
}
