import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireTools } from '@conduit/testing';
import pg from 'pg';

/**
 * Debian's PostgreSQL 15: the shared embedded server (17) ships no pg_dump, and pg_dump 15 cannot dump a
 * newer server, so the backup round trip runs against a server whose major matches its tools.
 */
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
export const PG15_TOOLS = (['initdb', 'pg_ctl', 'postgres', 'pg_dump', 'pg_restore'] as const).map(
  (name) => `${PG15_BIN}/${name}` as const,
);

export interface Postgres15 {
  readonly url: (database: string) => string;
  readonly binDir: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres15(): Promise<Postgres15> {
  requireTools(PG15_TOOLS);
  const dir = await mkdtemp(join(tmpdir(), 'conduit-ops-pg15-'));
  const data = join(dir, 'data');
  // initdb refuses to run as root: as root, run the server as the `postgres` OS user, which must own the dir.
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : undefined;
  const gid = asRoot ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) : undefined;
  await chmod(dir, 0o755);
  if (uid !== undefined && gid !== undefined) await chown(dir, uid, gid);
  const sh = (command: string, args: string[]) => {
    const full = asRoot
      ? (['runuser', ['-u', 'postgres', '--', command, ...args]] as const)
      : ([command, args] as const);
    const result = spawnSync(full[0], [...full[1]], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      throw new Error(`${command} failed: ${result.stderr || result.stdout || result.error?.message}`);
    }
  };
  sh(join(PG15_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  // Another suite may take the probed port before this server binds it: try a fresh one.
  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    try {
      sh(join(PG15_BIN, 'pg_ctl'), [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '30',
        '-o',
        `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`,
        'start',
      ]);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url,
    binDir: PG15_BIN,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      sh(join(PG15_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A small Conduit-shaped schema with awkward values: NULLs, unicode, arrays, JSON, timestamps. */
export async function seedConduit(url: string, articles = 200): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `
      CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE NOT NULL, bio text, image text);
      CREATE TABLE articles (
        id serial PRIMARY KEY, slug text UNIQUE NOT NULL, title text NOT NULL, body text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}', meta jsonb, author_id int NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT '2024-01-01T00:00:00Z');
      CREATE TABLE comments (id bigserial PRIMARY KEY, article_id int NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        body text NOT NULL, created_at timestamptz NOT NULL DEFAULT '2024-01-02T00:00:00Z');
      CREATE SCHEMA audit;
      CREATE TABLE audit.events (id int PRIMARY KEY, payload text);
      INSERT INTO users (username, bio, image)
        SELECT 'user' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'bio ✓ ' || g END, NULL FROM generate_series(1, 20) g;
      INSERT INTO articles (slug, title, body, tags, meta, author_id)
        SELECT 'article-' || g, 'Title ' || g, repeat('lorem ipsum ', 20 + g % 7), ARRAY['tag' || g % 5, 'ünïcode'],
               jsonb_build_object('n', g, 'q', 'quote"s'), 1 + g % 20
          FROM generate_series(1, $1::int) g;
      INSERT INTO comments (article_id, body) SELECT 1 + g % $1::int, 'comment ' || g FROM generate_series(1, $1::int * 3) g;
    `.replaceAll('$1::int', String(articles)),
    );
  } finally {
    await client.end();
  }
}
