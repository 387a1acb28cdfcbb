// `npm run dev -w @conduit/notifier`: the worker against the embedded PostgreSQL that `npm start` runs, so a
// local run needs only SMTP_URL. The user, database and password file are the API's local conventions
// (apps/api/src/local/embedded-postgres.ts); DATABASE_URL, when set, wins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (!process.env.DATABASE_URL) {
  const folder = process.env.LOCAL_DATA_DIR ?? fileURLToPath(new URL('../../.data/', import.meta.url));
  let password: string;
  try {
    password = readFileSync(join(folder, 'postgres.password'), 'utf8').trim();
  } catch {
    console.error(`no local database in ${folder}: run \`npm start\` first, or set DATABASE_URL`);
    process.exit(1);
  }
  const port = process.env.EMBEDDED_POSTGRES_PORT ?? '54329';
  process.env.DATABASE_URL = `postgres://conduit:${password}@127.0.0.1:${port}/conduit`;
}
await import('./src/main.js');
