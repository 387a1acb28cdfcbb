import pg from 'pg';
import { asUnavailable } from './unavailable.js';

export interface PoolOptions {
  readonly connectionString: string;
  readonly max: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly onIdleError?: (error: Error) => void;
}

type Callback = (...args: unknown[]) => void;

/**
 * A pg Pool whose connection failures surface as DatabaseUnavailableError (HTTP 503) from both
 * `pool.query` and `pool.connect`; the pool itself reconnects on the next request once the database is
 * back, so recovery needs no restart.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'conduit-api',
  });
  // An idle client losing its server must not crash the process (pg emits 'error' on the pool).
  pool.on('error', (error) => options.onIdleError?.(error));

  const connect = pool.connect.bind(pool) as (callback?: Callback) => unknown;
  pool.connect = ((callback?: Callback) => {
    if (callback) return connect((error, ...rest) => callback(error ? asUnavailable(error) : error, ...rest));
    return (connect() as Promise<pg.PoolClient>).catch((error: unknown) => {
      throw asUnavailable(error);
    });
  }) as typeof pool.connect;

  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
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
