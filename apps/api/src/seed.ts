import { ConfigError, loadConfig } from './config.js';
import { runMigrations } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { DEMO_SIZE, SEED_PASSWORD, seed } from './db/seed.js';

// `npm run seed`: loads the demo data set into DATABASE_URL, or into the embedded PostgreSQL of `npm start`.
async function main(): Promise<void> {
  const { config } = loadConfig();
  let url = config.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    if (config.NODE_ENV === 'production') throw new ConfigError('DATABASE_URL', 'is required in production');
    const { startEmbeddedPostgres } = await import('./local/embedded-postgres.js');
    const embedded = await startEmbeddedPostgres(
      { port: config.EMBEDDED_POSTGRES_PORT, dataDir: config.EMBEDDED_POSTGRES_DATA_DIR },
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
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    if ((rows[0]?.n ?? 0) > 0) {
      console.log('the database already has users: seeding skipped (it only loads into an empty database)');
      return;
    }
    const users = await seed(pool, DEMO_SIZE);
    console.log(
      `seeded ${DEMO_SIZE.users} users, ${DEMO_SIZE.articles} articles, ${DEMO_SIZE.comments} comments; sign in as ${users[0]}@example.com / ${SEED_PASSWORD}`,
    );
  } finally {
    await pool.end();
    await stop();
  }
}

main().catch((error: Error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
