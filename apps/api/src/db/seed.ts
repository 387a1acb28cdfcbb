import { hash } from '@node-rs/argon2';
import type pg from 'pg';
import { skeleton } from '../modules/users/username.js';

export interface SeedSize {
  readonly users: number;
  readonly articles: number;
  readonly comments: number;
  readonly followsPerUser: number;
  readonly favoritesPerUser: number;
}

/** The data set `npm run seed` loads for a demo. */
export const DEMO_SIZE: SeedSize = {
  users: 20,
  articles: 120,
  comments: 600,
  followsPerUser: 5,
  favoritesPerUser: 10,
};
/** The fixed data set of the benchmark (issue: 50 users, 500 articles, 5000 comments). */
export const BENCH_SIZE: SeedSize = {
  users: 50,
  articles: 500,
  comments: 5000,
  followsPerUser: 10,
  favoritesPerUser: 40,
};

/** Every seeded account signs in with this password (demo data only). */
export const SEED_PASSWORD = 'conduit-demo';

const TOPICS = [
  'kubernetes',
  'postgres',
  'typescript',
  'react',
  'nodejs',
  'aws',
  'observability',
  'testing',
  'security',
  'performance',
  'devops',
  'design',
];
const OPENINGS = [
  'How we',
  'Why you should',
  'Lessons learned when we',
  'A field guide to how we',
  'What it took to',
];
const ACTIONS = [
  'cut our p99 latency in half',
  'moved to canary releases',
  'tamed flaky tests',
  'scaled PostgreSQL reads',
  'shipped without downtime',
  'replaced our build system',
  'learned to love migrations',
  'debugged a memory leak',
  'rebuilt onboarding',
  'measured what matters',
];
const NAMES = [
  'ada',
  'grace',
  'linus',
  'margaret',
  'ken',
  'barbara',
  'dennis',
  'radia',
  'alan',
  'frances',
  'edsger',
];
/** The account the start-up line and the README point people to: the first seeded user. */
export const DEMO_ACCOUNT = { email: `${NAMES[0]}1@example.com`, password: SEED_PASSWORD } as const;

const SENTENCES = [
  'The first version was simple, and that was its best feature.',
  'We wrote the failing test before touching the code.',
  'Every dashboard panel answers one question an operator actually asks.',
  'The rollback took thirty seconds because we had practised it.',
  'Most of the latency came from a query that read more rows than it returned.',
  'Nobody reads a runbook that does not start with what to check first.',
  'We kept the old column for one more release so the canary could run beside the stable version.',
];

/** A small deterministic PRNG (mulberry32): the same seed gives the same data set on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Loads a realistic data set in bulk (one statement per table through `unnest`), on an empty schema.
 * Returns the usernames created.
 */
export async function seed(pool: pg.Pool, size: SeedSize, { randomSeed = 42 } = {}): Promise<string[]> {
  const next = random(randomSeed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const passwordHash = await hash(SEED_PASSWORD);

  const usernames = Array.from({ length: size.users }, (_, i) => `${NAMES[i % NAMES.length]}${i + 1}`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: users } = await client.query<{ id: string }>(
      // With their confusable skeletons, as registration writes them, so no look-alike of a demo name passes.
      `INSERT INTO users (username, email, password_hash, bio, image, username_skeleton)
       SELECT u, u || '@example.com', $2, 'Writes about ' || b, NULL, k
       FROM unnest($1::text[], $3::text[], $4::text[]) AS t(u, b, k)
       RETURNING id`,
      [usernames, passwordHash, usernames.map(() => pick(TOPICS)), usernames.map((u) => skeleton(u))],
    );
    const userIds = users.map((row) => row.id);

    const now = Date.now();
    const titles: string[] = [];
    const slugs: string[] = [];
    const descriptions: string[] = [];
    const bodies: string[] = [];
    const authors: string[] = [];
    const created: string[] = [];
    for (let i = 0; i < size.articles; i++) {
      const title = `${pick(OPENINGS)} ${pick(ACTIONS)}`;
      titles.push(title);
      slugs.push(`${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i + 1}`);
      descriptions.push(`${pick(SENTENCES)}`);
      bodies.push(
        Array.from({ length: 3 }, () => `${pick(SENTENCES)} ${pick(SENTENCES)}`)
          .map((paragraph, n) => (n === 0 ? `## ${title}\n\n${paragraph}` : paragraph))
          .join('\n\n'),
      );
      authors.push(pick(userIds));
      created.push(new Date(now - (size.articles - i) * 3_600_000).toISOString());
    }
    const { rows: articles } = await client.query<{ id: string }>(
      `INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
       SELECT s, t, d, b, a, c, c
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[]) AS x(s, t, d, b, a, c)
       ORDER BY c
       RETURNING id`,
      [slugs, titles, descriptions, bodies, authors, created],
    );
    const articleIds = articles.map((row) => row.id);

    const { rows: tags } = await client.query<{ id: string }>(
      'INSERT INTO tags (name) SELECT unnest($1::text[]) RETURNING id',
      [TOPICS],
    );
    const tagIds = tags.map((row) => row.id);
    const tagPairs = new Set<string>();
    for (const articleId of articleIds) {
      const count = 1 + Math.floor(next() * 3);
      for (let n = 0; n < count; n++) tagPairs.add(`${articleId}:${pick(tagIds)}`);
    }
    await insertPairs(client, 'article_tags (article_id, tag_id)', tagPairs);

    const follows = new Set<string>();
    const favorites = new Set<string>();
    for (const userId of userIds) {
      for (let n = 0; n < size.followsPerUser; n++) {
        const other = pick(userIds);
        if (other !== userId) follows.add(`${userId}:${other}`);
      }
      for (let n = 0; n < size.favoritesPerUser; n++) favorites.add(`${pick(articleIds)}:${userId}`);
    }
    await insertPairs(client, 'follows (follower_id, followee_id)', follows);
    await insertPairs(client, 'favorites (article_id, user_id)', favorites);

    const commentArticles: string[] = [];
    const commentAuthors: string[] = [];
    const commentBodies: string[] = [];
    for (let i = 0; i < size.comments; i++) {
      commentArticles.push(pick(articleIds));
      commentAuthors.push(pick(userIds));
      commentBodies.push(pick(SENTENCES));
    }
    await client.query(
      `INSERT INTO comments (article_id, author_id, body)
       SELECT a, u, b FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(a, u, b)`,
      [commentArticles, commentAuthors, commentBodies],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return usernames;
}

/**
 * Loads the demo data set unless the database already has users (it never mixes into real data), saying
 * so first. Returns whether it did.
 */
export async function seedDemoIfEmpty(pool: pg.Pool, log: (line: string) => void): Promise<boolean> {
  const { rows } = await pool.query<{ used: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS used');
  if (rows[0]?.used) return false;
  log(
    `the database is empty: loading the demo data set (${DEMO_SIZE.users} users, ${DEMO_SIZE.articles} articles, ${DEMO_SIZE.comments} comments)`,
  );
  await seed(pool, DEMO_SIZE);
  return true;
}

async function insertPairs(client: pg.PoolClient, target: string, pairs: Set<string>): Promise<void> {
  const left: string[] = [];
  const right: string[] = [];
  for (const pair of pairs) {
    const [a, b] = pair.split(':');
    left.push(a as string);
    right.push(b as string);
  }
  await client.query(`INSERT INTO ${target} SELECT * FROM unnest($1::bigint[], $2::bigint[])`, [left, right]);
}
