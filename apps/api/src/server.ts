import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { isDatabaseUnavailable } from './db/unavailable.js';
import { localDataFolder } from './local/data-folder.js';
import type { EmbeddedDatabase } from './local/embedded-postgres.js';
import { keptJwtSecret } from './local/jwt-secret.js';
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
const { config } = loaded;
const log = pino(loggerOptions(config) as pino.LoggerOptions);
if (loaded.generatedJwtSecret && config.NODE_ENV === 'development') {
  // One secret per data folder, so a restart keeps people signed in (production requires JWT_SECRET).
  const kept = await localDataFolder(config.LOCAL_DATA_DIR)
    .then(keptJwtSecret)
    .catch((error: Error) =>
      fail(`JWT_SECRET is not set and no development secret could be kept: ${error.message}`),
    );
  config.JWT_SECRET = kept.secret;
  log.info(
    `JWT_SECRET is not set: tokens are signed with the development secret ${kept.created ? 'generated in' : 'kept in'} ${kept.path}`,
  );
} else if (loaded.generatedJwtSecret) {
  log.warn('JWT_SECRET is not set: generated a random one, tokens will not survive a restart');
}

if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const { startTelemetry } = await import('./telemetry.js');
  startTelemetry({ serviceName: 'api', endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
}

let embedded: EmbeddedDatabase | undefined;
if (!config.DATABASE_URL) {
  const { startEmbeddedPostgres } = await import('./local/embedded-postgres.js');
  embedded = await localDataFolder(config.LOCAL_DATA_DIR)
    .then((folder) =>
      startEmbeddedPostgres({ folder, port: config.EMBEDDED_POSTGRES_PORT }, (line) => log.info(line)),
    )
    .catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
  config.DATABASE_URL = embedded.url;
}
// Demo data only where nobody can take it for real data: an empty database, right after the start-up
// migrations, the embedded one unless asked (and never in production, where the config refuses `true`).
const seedDemoData =
  config.MIGRATE_ON_START &&
  (config.SEED_DEMO_DATA === 'true' || (config.SEED_DEMO_DATA === 'auto' && embedded !== undefined));

// Imported only now: instrumentation has to patch http, fastify and pg before they load.
const { buildApp } = await import('./app.js');
const { runMigrations } = await import('./db/migrate.js');
const { DEMO_ACCOUNT, seedDemoIfEmpty } = await import('./db/seed.js');
const { backfillUsernameSkeletons } = await import('./modules/users/backfill.js');

const app = await buildApp(config, { loggerInstance: log }).catch(async (error: Error) => {
  await embedded?.stop();
  return fail(`start-up failed: ${error.message}`);
});
app.lifecycle.seeding = seedDemoData;

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

/** Whether the demo account can sign in, after loading the demo data into an empty database. */
async function loadDemoData(): Promise<boolean> {
  try {
    if (await seedDemoIfEmpty(app.db, (line) => app.log.info(`${line}; SEED_DEMO_DATA=false starts empty`))) {
      return true;
    }
    const { rows } = await app.db.query<{ present: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS present',
      [DEMO_ACCOUNT.email],
    );
    return rows[0]?.present === true;
  } catch (error) {
    app.log.error({ err: error }, 'loading the demo data failed: Conduit runs without it');
    return false;
  } finally {
    app.lifecycle.seeding = false;
  }
}

/** Migrations, then the demo data, then the line that tells a person where to go. */
async function startUp(url: string): Promise<void> {
  if (config.MIGRATE_ON_START) await migrate();
  if (stopping) return;
  const signIn = seedDemoData && (await loadDemoData());
  app.log.info(
    `Conduit is ready on ${url}${signIn ? ` — sign in as ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}` : ''}`,
  );
}

let url: string;
try {
  url = await app.listen({ host: config.HOST, port: config.PORT });
} catch (error) {
  await embedded?.stop();
  fail(`could not listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
}
void startUp(url);
