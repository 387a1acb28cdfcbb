import { ConfigError, loadConfig } from './config.js';
import { runMigrations } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { DEMO_ACCOUNT, seedDemoIfEmpty } from './db/seed.js';
import { localDataFolder } from './local/data-folder.js';

// `npm run seed`: loads the demo data set into DATABASE_URL, or into the embedded PostgreSQL of `npm start`.
async function main(): Promise<void> {
  const { config } = loadConfig();
  let url = config.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    if (config.NODE_ENV === 'production') throw new ConfigError('DATABASE_URL', 'is required in production');
    const { startEmbeddedPostgres } = await import('./local/embedded-postgres.js');
    const embedded = await startEmbeddedPostgres(
      { port: config.EMBEDDED_POSTGRES_PORT, folder: await localDataFolder(config.LOCAL_DATA_DIR) },
      (line) => console.log(line),
    );
    url = embedded.url;
    stop = embedded.stop;
  }
  const pool = createPool({
    connectionString: url,
    max: 2,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  });
  try {
    await runMigrations(pool);
    if (!(await seedDemoIfEmpty(pool, (line) => console.log(line)))) {
      console.log('the database already has users: seeding skipped (it only loads into an empty database)');
      return;
    }
    console.log(`demo data loaded: sign in as ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`);
  } finally {
    await pool.end();
    await stop();
  }
}

main().catch((error: Error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
