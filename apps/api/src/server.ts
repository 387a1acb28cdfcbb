import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { isDatabaseUnavailable } from './db/unavailable.js';
import type { EmbeddedDatabase } from './local/embedded-postgres.js';
import { loggerOptions } from './logger.js';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let loaded: ReturnType<typeof loadConfig>;
try {
  loaded = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : `invalid configuration: ${(error as Error).message}`);
}
const { config, warnings } = loaded;
const log = pino(loggerOptions(config) as pino.LoggerOptions);
for (const warning of warnings) log.warn(warning);

if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const { startTelemetry } = await import('./telemetry.js');
  startTelemetry({ serviceName: 'api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
}

let embedded: EmbeddedDatabase | undefined;
if (!config.DATABASE_URL) {
  const { startEmbeddedPostgres } = await import('./local/embedded-postgres.js');
  embedded = await startEmbeddedPostgres(
    { port: config.EMBEDDED_POSTGRES_PORT, dataDir: config.EMBEDDED_POSTGRES_DATA_DIR },
    (line) => log.info(line),
  ).catch((error: unknown) =>
    fail(`embedded PostgreSQL: ${error instanceof Error ? error.message : String(error)}`),
  );
  config.DATABASE_URL = embedded.url;
}

// Imported only now: instrumentation has to patch http, fastify and pg before they load.
const { buildApp } = await import('./app.js');
const { runMigrations } = await import('./db/migrate.js');
const { backfillUsernameSkeletons } = await import('./modules/users/backfill.js');

const app = await buildApp(config, { loggerInstance: log }).catch(async (error: Error) => {
  await embedded?.stop();
  return fail(`start-up failed: ${error.message}`);
});

let stopping = false;
async function shutdown(signal: string, drainDelayMs: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // 1. Fail readiness at once so the load balancer stops sending new connections here.
  app.lifecycle.draining = true;
  app.log.info({ signal, drainDelayMs }, 'draining');
  // 2. Keep serving while the load balancer catches up: it may still route requests for a few seconds.
  await sleep(drainDelayMs);
  // 3. Stop accepting, let in-flight requests finish within a bound, then close idle sockets and the pool.
  const deadline = setTimeout(() => {
    app.log.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'in-flight requests did not finish in time');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  await app.close();
  await embedded?.stop();
  app.log.info('stopped');
  process.exit(0);
}
// SIGTERM comes from Kubernetes (after preStop) and waits for the load balancer; Ctrl-C is a person.
process.on('SIGTERM', () => void shutdown('SIGTERM', config.SHUTDOWN_DRAIN_DELAY_MS));
process.on('SIGINT', () => void shutdown('SIGINT', 0));

/** Migrations at start-up: waits for an unreachable database (readiness stays 503), stops on a failing one. */
async function migrate(): Promise<void> {
  for (let attempt = 1; !stopping; attempt++) {
    try {
      const applied = await runMigrations(app.db, { log: (line) => app.log.info(line) });
      app.log.info({ applied: applied.length }, 'migrations current');
      const usernames = await backfillUsernameSkeletons(app.db);
      // Confusable or refused names that already exist are reported, not renamed: a person decides.
      const level = usernames.confusable.length + usernames.refused.length > 0 ? 'warn' : 'info';
      app.log[level]({ usernameSkeletons: usernames }, 'username skeletons backfilled');
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        app.log.fatal({ err: error }, 'migration failed');
        await app.close();
        await embedded?.stop();
        process.exit(1);
      }
      app.log.warn({ attempt }, 'database unavailable, retrying migrations');
      await sleep(Math.min(1000 * attempt, 10_000));
    }
  }
}

try {
  await app.listen({ host: config.HOST, port: config.PORT });
} catch (error) {
  await embedded?.stop();
  fail(`could not listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
}
if (config.MIGRATE_ON_START) void migrate();
