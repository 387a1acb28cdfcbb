import { randomBytes } from 'node:crypto';
import { GENEROUS_LIMITS } from '@conduit/testing';
import pg from 'pg';
import { type App, type BuildOptions, buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { runMigrations } from '../src/db/migrate.js';
import { createDatabase } from './database.js';

export { createDatabase };

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...GENEROUS_LIMITS,
    ...overrides,
  }).config;
}

export interface TestApi {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly app: App;
  /** A pool on the suite's own database, for arranging and asserting state. */
  readonly db: pg.Pool;
  close(): Promise<void>;
}

/**
 * A real API on a real PostgreSQL database of its own (migrated), listening on a loopback port, for
 * tests that go through real HTTP.
 */
export async function startTestApi(
  overrides: Record<string, string> = {},
  options: Pick<BuildOptions, 'without'> = {},
): Promise<TestApi> {
  const databaseUrl = overrides.DATABASE_URL ?? (await createDatabase());
  const config = testConfig({ ...overrides, DATABASE_URL: databaseUrl });
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  await runMigrations(db);
  const app = await buildApp(config, { ...options, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('test API has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    db,
    async close() {
      await app.close();
      await db.end();
    },
  };
}
