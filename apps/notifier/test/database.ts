import { randomBytes } from 'node:crypto';
import { runMigrations } from '@conduit/api';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  readonly url: string;
  readonly db: pg.Pool;
}

/** A database of its own on the run's PostgreSQL, with the API's real migrations applied unless told not to. */
export async function createDatabase({ migrate = true } = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `notifier_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = new pg.Pool({ connectionString: url.toString(), max: 4 });
  if (migrate) await runMigrations(db, { log: () => {} });
  return { url: url.toString(), db };
}

let counter = 0;

/**
 * Data builder: an author with an article, and `comments` comments on it by other users, each queued the way
 * the API queues it (the same INSERT … SELECT, which skips the author's own comments). Returns the recipient.
 */
export async function commentsOnAnArticle(
  db: pg.Pool,
  { comments = 1, authorEmail }: { comments?: number; authorEmail?: string } = {},
): Promise<{ email: string; slug: string }> {
  counter += 1;
  const tag = `${process.pid}${counter}${randomBytes(2).toString('hex')}`;
  const email = authorEmail ?? `author${tag}@example.com`;
  const user = async (name: string, mail: string) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'x') RETURNING id::text AS id`,
        [name, mail],
      )
    ).rows[0]!.id;
  const author = await user(`author${tag}`, email);
  const slug = `article-${tag}`;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO articles (slug, title, description, body, author_id)
     VALUES ($1, 'Queues in practice', 'd', 'b', $2) RETURNING id::text AS id`,
    [slug, author],
  );
  const commenter = await user(`reader${tag}`, `reader${tag}@example.com`);
  for (let i = 0; i < comments; i += 1) {
    await db.query(
      `WITH c AS (INSERT INTO comments (article_id, author_id, body) VALUES ($1, $2, $3) RETURNING id, author_id, article_id)
       INSERT INTO comment_notifications (comment_id, recipient_id)
       SELECT c.id, a.author_id FROM c JOIN articles a ON a.id = c.article_id WHERE a.author_id <> c.author_id`,
      [rows[0]!.id, commenter, `comment ${i}`],
    );
  }
  return { email, slug };
}

export async function statuses(
  db: pg.Pool,
): Promise<{ status: string; attempts: number; lastError: string | null }[]> {
  const { rows } = await db.query(
    'SELECT status, attempts, last_error AS "lastError" FROM comment_notifications ORDER BY id',
  );
  return rows;
}

/** Polls `check` until it returns true, or fails naming what it waited for. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}
