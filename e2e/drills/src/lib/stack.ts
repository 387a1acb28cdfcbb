import { randomBytes } from 'node:crypto';
import {
  type ApiProcess,
  type ApiProcessOptions,
  startApiProcess,
  startPostgres,
  type TestPostgres,
} from '@conduit/testing';
import pg from 'pg';
import type { RequestSpec } from './load.js';

/**
 * Drain delay of the drills' API instances: the `preStop` sleep of the pod, during which the old instance
 * still serves what the load balancer sends before it has caught up. Shorter than production (the ALB's
 * deregistration takes seconds), long enough for nginx's reload to finish.
 */
export const DRAIN_DELAY_MS = 2000;

export interface Stack {
  readonly postgres: TestPostgres;
  readonly databaseUrl: string;
  /** The signing secret every instance shares, for processes started outside `startInstance`. */
  readonly jwtSecret: string;
  /** Starts one API instance (a pod) on the shared database; ready when it resolves. */
  startInstance(env?: Record<string, string>): Promise<ApiProcess>;
  /** Stops every instance still running and the database. */
  stop(): Promise<void>;
}

/** Starts one API instance; `startApiProcess` (the API as `npm start` runs it) unless a drill is given another. */
export type Launcher = (options: ApiProcessOptions) => Promise<ApiProcess>;

/**
 * A real PostgreSQL and API instances sharing one JWT secret, as replicas of one Deployment do. `launch`
 * decides how an instance runs (a process by default; e2e/images passes one that starts the image).
 */
export async function startStack(launch: Launcher = startApiProcess): Promise<Stack> {
  const postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase('drill');
  const jwtSecret = randomBytes(32).toString('hex');
  const instances: ApiProcess[] = [];
  return {
    postgres,
    databaseUrl,
    jwtSecret,
    async startInstance(env = {}) {
      const instance = await launch({
        timeoutMs: 60_000,
        env: {
          DATABASE_URL: databaseUrl,
          JWT_SECRET: jwtSecret,
          LOG_LEVEL: 'warn',
          SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
          ...env,
        },
      });
      instances.push(instance);
      return instance;
    },
    async stop() {
      await Promise.all(instances.map((i) => i.stop('SIGKILL')));
      await postgres.stop();
    },
  };
}

interface Author {
  readonly username: string;
  readonly token: string;
}

export interface Traffic {
  /** The mixed load: reads of every kind and acknowledged writes (articles and comments). */
  readonly mixed: (i: number) => RequestSpec;
  /** Reads only: lists, an article, its comments, tags, the feed and the current user. */
  readonly reads: (i: number) => RequestSpec;
  /** Writes only: POSTs (never replayed by the load balancer) and idempotent PUTs. */
  readonly writes: (i: number) => RequestSpec;
  /** Tokens of the registered authors, for generators of their own. */
  readonly tokens: readonly string[];
}

async function call<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Token ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Registers a few authors with an article each, then returns request generators over them. Every write
 * carries a unique run id so the database check can tell acknowledged writes apart.
 */
export async function prepareTraffic(baseUrl: string, authors = 5): Promise<Traffic> {
  const run = randomBytes(4).toString('hex');
  const users: Author[] = [];
  const slugs: string[] = [];
  for (let i = 0; i < authors; i++) {
    const username = `drill-${run}-${i}`;
    const { user } = await call<{ user: { token: string } }>(baseUrl, 'POST', '/api/users', {
      user: { username, email: `${username}@example.com`, password: `password-${run}` },
    });
    users.push({ username, token: user.token });
    const { article } = await call<{ article: { slug: string } }>(
      baseUrl,
      'POST',
      '/api/articles',
      { article: { title: `Drill ${run} ${i}`, description: 'drill', body: 'Body', tagList: ['drill'] } },
      user.token,
    );
    slugs.push(article.slug);
  }
  const author = (i: number) => users[i % users.length]!;
  const slug = (i: number) => slugs[i % slugs.length]!;

  const reads = (i: number): RequestSpec => {
    const a = author(i);
    switch (i % 6) {
      case 0:
        return { method: 'GET', route: 'list', path: `/api/articles?limit=10&offset=${i % 3}` };
      case 1:
        return { method: 'GET', route: 'article', path: `/api/articles/${slug(i)}` };
      case 2:
        return { method: 'GET', route: 'comments', path: `/api/articles/${slug(i)}/comments` };
      case 3:
        return { method: 'GET', route: 'tags', path: '/api/tags' };
      case 4:
        return { method: 'GET', route: 'feed', path: '/api/articles/feed?limit=10', token: a.token };
      default:
        return { method: 'GET', route: 'user', path: '/api/user', token: a.token };
    }
  };
  const writes = (i: number): RequestSpec => {
    const a = author(i);
    switch (i % 3) {
      case 0:
        return {
          method: 'POST',
          route: 'create-article',
          path: '/api/articles',
          token: a.token,
          body: {
            article: { title: `w ${run} ${i}`, description: 'd', body: 'b', tagList: ['drill', `t${i % 7}`] },
          },
          acknowledge: (b) => `article:${(b as { article: { slug: string } }).article.slug}`,
        };
      case 1:
        return {
          method: 'POST',
          route: 'add-comment',
          path: `/api/articles/${slug(i)}/comments`,
          token: a.token,
          body: { comment: { body: `c ${run} ${i}` } },
          acknowledge: (b) => `comment:${(b as { comment: { id: number } }).comment.id}`,
        };
      default:
        return {
          method: 'PUT',
          route: 'update-user',
          path: '/api/user',
          token: a.token,
          body: { user: { bio: `bio ${i}` } },
        };
    }
  };
  // 4 reads for each write.
  const mixed = (i: number) => (i % 5 === 4 ? writes(Math.floor(i / 5)) : reads(i - Math.floor(i / 5)));
  return { mixed, reads, writes, tokens: users.map((u) => u.token) };
}

/** Acknowledged writes (`article:<slug>`, `comment:<id>`) that are not in the database. */
export async function missingWrites(databaseUrl: string, acknowledged: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const slugs = acknowledged.filter((a) => a.startsWith('article:')).map((a) => a.slice('article:'.length));
    const ids = acknowledged.filter((a) => a.startsWith('comment:')).map((a) => a.slice('comment:'.length));
    const found = await client.query<{ key: string }>(
      `SELECT 'article:' || slug AS key FROM articles WHERE slug = ANY($1::text[])
       UNION ALL SELECT 'comment:' || id AS key FROM comments WHERE id = ANY($2::bigint[])`,
      [slugs, ids],
    );
    const present = new Set(found.rows.map((r) => r.key));
    return acknowledged.filter((a) => !present.has(a));
  } finally {
    await client.end();
  }
}
