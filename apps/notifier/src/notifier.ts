import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { type Logger, pino } from 'pino';
import type { Config } from './config.js';
import { createTransport } from './mail.js';
import { createMetrics } from './metrics.js';
import { NotificationWorker } from './worker.js';

export interface Notifier {
  /** Where /healthz, /readyz and /metrics answer. */
  readonly url: string;
  readonly worker: NotificationWorker;
  readonly log: Logger;
  /**
   * Drains: readiness turns 503, the in-flight batch finishes (bounded by SHUTDOWN_TIMEOUT_MS), then the
   * endpoints and the pool close. Resolves `true` when the batch finished in time.
   */
  close(): Promise<boolean>;
}

/**
 * pg settings for the URL, with the password read from `passwordFile` for every new connection when set
 * (as the API does, apps/api/src/db/pool.ts). The URL is parsed here because pg lets a connection string's
 * password, even an absent one, override a `password` function.
 */
export function connectionConfig(url: string, passwordFile: string | undefined): pg.PoolConfig {
  if (passwordFile === undefined) return { connectionString: url };
  const { password: _fromUrl, ...parsed } = parse(url);
  return {
    ...(parsed as pg.PoolConfig),
    password: async () => {
      const password = (await readFile(passwordFile, 'utf8')).replace(/\r?\n$/, '');
      if (password === '') throw new Error(`database password file ${passwordFile} is empty`);
      return password;
    },
  };
}

/**
 * Builds and starts the worker and its operational endpoints; `main.ts` adds the signals, so tests run it
 * in-process. The endpoints are three fixed paths with no input, so plain node:http serves them.
 */
export async function startNotifier(
  config: Config,
  log: Logger = pino({ level: config.LOG_LEVEL }),
): Promise<Notifier> {
  const db = new pg.Pool({
    ...connectionConfig(config.DATABASE_URL, config.DATABASE_PASSWORD_FILE),
    maxLifetimeSeconds: config.DATABASE_POOL_MAX_LIFETIME_SECONDS,
    max: config.DATABASE_POOL_MAX,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: 'conduit-notifier',
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  db.on('error', (error) => log.warn({ err: error.message }, 'idle database connection lost'));
  const transport = createTransport(config);
  const metrics = createMetrics(db, { version: config.APP_VERSION, gitSha: config.GIT_SHA });
  const worker = new NotificationWorker({ db, transport, config, metrics, log });
  let draining = false;

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET') return reply(405, 'method not allowed\n');
    switch (req.url) {
      case '/healthz':
        return reply(200, 'ok\n');
      case '/readyz': {
        if (draining) return reply(503, 'draining\n');
        try {
          const { rows } = await db.query<{ ready: boolean }>(
            "SELECT to_regclass('comment_notifications') IS NOT NULL AS ready",
          );
          return rows[0]?.ready ? reply(200, 'ready\n') : reply(503, 'queue table missing (migrations)\n');
        } catch {
          return reply(503, 'database unavailable\n');
        }
      }
      case '/metrics':
        return reply(200, await metrics.registry.metrics(), metrics.registry.contentType);
      default:
        return reply(404, 'not found\n');
    }
  });
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  worker.start();
  log.info({ port, transport: config.EMAIL_TRANSPORT }, 'notifier started');

  return {
    url: `http://${config.HOST}:${port}`,
    worker,
    log,
    async close() {
      draining = true;
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        worker.stop().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), config.SHUTDOWN_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      transport.close();
      await db.end();
      return inTime;
    },
  };
}
