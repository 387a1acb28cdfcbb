import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { asUnavailable, DatabaseUnavailableError } from './unavailable.js';

/** Where a connection's credentials come from: the URL alone, or the URL plus a password file. */
export interface ConnectionOptions {
  readonly connectionString: string;
  /**
   * File holding the password, read for every new connection; it wins over the URL's password.
   * @default none: the URL's password, fixed for the life of the process
   */
  readonly passwordFile?: string | undefined;
}

export interface PoolOptions extends ConnectionOptions {
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /**
   * How long a new connection keeps retrying while PostgreSQL rejects the password (28P01), re-reading
   * `passwordFile` before each attempt. Only applies with `passwordFile`.
   * @default 0: the rejection fails the request at once
   */
  readonly passwordWaitMs?: number;
  /** Connections are replaced after this long. @default 0: never */
  readonly maxLifetimeSeconds?: number;
  readonly onIdleError?: (error: Error) => void;
  /** Called for each password rejection that will be retried. @default none */
  readonly onPasswordRejected?: (attempt: number, error: Error) => void;
}

type Callback = (...args: unknown[]) => void;

/** SQLSTATE invalid_password: PostgreSQL refused the password (wrong, or rotated since the file was read). */
export const INVALID_PASSWORD = '28P01';
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 1000;

/** Reads the password as the secret volume holds it, without the newline an editor or `echo` appends. */
export async function readPassword(file: string): Promise<string> {
  const password = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  if (password === '') throw new Error(`database password file ${file} is empty`);
  return password;
}

/**
 * pg client settings for these options. With a password file the URL is parsed here rather than handed
 * to pg as `connectionString`: pg re-parses that string for every client and lets its password (even an
 * absent one) override a `password` function.
 */
export function connectionConfig(options: ConnectionOptions): pg.ClientConfig {
  const { passwordFile, connectionString } = options;
  if (passwordFile === undefined) return { connectionString };
  const { password: _fromUrl, ...parsed } = parse(connectionString);
  return {
    ...(parsed as pg.ClientConfig),
    // Called by pg for each new connection, so a rotated file is picked up without a restart. A file that
    // cannot be read at that moment leaves the request without a database, like a refused password: 503.
    password: () =>
      readPassword(passwordFile).catch((error: unknown) => {
        throw new DatabaseUnavailableError(error);
      }),
  };
}

function isPasswordRejected(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === INVALID_PASSWORD;
}

/**
 * A pg Pool whose connection failures surface as DatabaseUnavailableError (HTTP 503) from both
 * `pool.query` and `pool.connect`; the pool itself reconnects on the next request once the database is
 * back, so recovery needs no restart. With a password file, a connection PostgreSQL refuses is retried
 * for up to `passwordWaitMs`, so a request arriving between a rotation and the file catching up waits
 * instead of failing.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    application_name: 'conduit-api',
    ...connectionConfig(options),
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? 0,
  });
  // An idle client losing its server must not crash the process (pg emits 'error' on the pool).
  pool.on('error', (error) => options.onIdleError?.(error));
  // Nor may a checked-out one: a shutdown or an administrator's kill that reaches a connection between two
  // queries of a transaction (its request waiting for the CPU) is an 'error' on the client with no query to
  // fail. Its next query fails instead, and the pool discards it when it is released.
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));

  const waitMs = options.passwordFile === undefined ? 0 : (options.passwordWaitMs ?? 0);
  const connectOnce = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  // Each attempt asks the pool again, so an old-password connection released meanwhile is taken in
  // preference to opening another one; pg calls the password function again for each new one.
  async function connectRetrying(): Promise<pg.PoolClient> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await connectOnce();
      } catch (error) {
        const left = deadline - Date.now();
        if (!isPasswordRejected(error) || left <= 0 || pool.ending) throw asUnavailable(error);
        options.onPasswordRejected?.(attempt, error as Error);
        await sleep(Math.min(RETRY_FIRST_MS * 2 ** (attempt - 1), RETRY_MAX_MS, left));
      }
    }
  }
  // pool.query checks a client out through this (the instance property), so queries retry as well.
  pool.connect = ((callback?: Callback) => {
    const connected = connectRetrying();
    if (!callback) return connected;
    connected.then(
      (client) => callback(undefined, client, client.release),
      (error: unknown) => callback(error),
    );
    return undefined;
  }) as typeof pool.connect;

  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...given: unknown[]) => {
    const args = named(given);
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as Callback;
      return query(...args.slice(0, -1), (error: unknown, ...rest: unknown[]) =>
        callback(error ? asUnavailable(error) : error, ...rest),
      );
    }
    return (query(...args) as Promise<unknown>).catch((error: unknown) => {
      throw asUnavailable(error);
    });
  }) as typeof pool.query;

  return pool;
}

/**
 * A parameterised `pool.query(text, values)` goes out as a named prepared statement, named after its text:
 * PostgreSQL parses and plans an unnamed statement again on every request (for the article list, planning
 * took about as long as executing), a named one once per connection. Every text is a constant of a
 * repository (parameters are never spliced in), so the statements per connection stay few. Queries on a
 * checked-out client (transactions, migrations) stay unnamed. The API talks to PostgreSQL (RDS) directly: a
 * pooler in transaction mode between them (PgBouncer before 1.21) would not keep statements per connection.
 */
function named(args: unknown[]): unknown[] {
  const [text, values, ...rest] = args;
  if (typeof text !== 'string' || !Array.isArray(values)) return args;
  const name = `q${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  return [{ name, text, values }, ...rest];
}
