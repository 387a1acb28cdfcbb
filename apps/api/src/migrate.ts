import pg from 'pg';
import { ConfigError, loadConfig } from './config.js';
import { migrationStatus, runMigrations } from './db/migrate.js';
import { connectionConfig } from './db/pool.js';
import { backfillUsernameSkeletons } from './modules/users/backfill.js';

// The migrate command (Kubernetes PreSync Job, `npm run migrate`): exits non-zero on any failure so that a
// failed migration stops the release instead of letting new pods start on an old schema.
async function main(): Promise<void> {
  const { config } = loadConfig(process.env, { purpose: 'migrate' });
  if (!config.DATABASE_URL) throw new ConfigError('DATABASE_URL', 'is required to run migrations');
  // The Job mounts the password like the pods do; a rotation during the minute it runs is unlikely, and a
  // failed run is retried by the Job (backoffLimit), so no waiting on a refused password here.
  const pool = new pg.Pool({
    ...connectionConfig({
      connectionString: config.DATABASE_URL,
      passwordFile: config.DATABASE_PASSWORD_FILE,
    }),
    max: 1,
  });
  try {
    if (process.argv.includes('--status')) {
      const status = await migrationStatus(pool);
      console.log(JSON.stringify(status));
      return;
    }
    const applied = await runMigrations(pool, { log: (line) => console.log(line) });
    console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
    const usernames = await backfillUsernameSkeletons(pool);
    console.log(JSON.stringify({ usernameSkeletons: usernames }));
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`migrate: ${error.message}`);
  process.exit(1);
});
