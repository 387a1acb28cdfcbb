// The ceilings: a bare node:http server answering every read scenario of the benchmark on the API's own
// paths with one statement each — the API's repository queries (same SQL, same pool, same row mapping) — and
// no framework, validation, hooks, logging, metrics or schema serialisation. What the API needs beyond this
// is the cost of its operational contract.
import { createServer, type ServerResponse } from 'node:http';
import { Value } from 'typebox/value';
import { type Config, configSchema } from '../src/config.js';
import { createPool } from '../src/db/pool.js';
import { articlesRepository } from '../src/modules/articles/repository.js';
import { toArticle, toListItem } from '../src/modules/articles/routes.js';
import { commentsRepository } from '../src/modules/comments/repository.js';
import { toComment } from '../src/modules/comments/routes.js';
import { tagsRepository } from '../src/modules/tags/repository.js';

const pool = createPool({
  connectionString: process.env.DATABASE_URL ?? '',
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  connectTimeoutMs: 2000,
  statementTimeoutMs: 5000,
});
const articles = articlesRepository(pool);
const comments = commentsRepository(pool);
const tags = tagsRepository(pool);
// The API's default number of tags, from its config schema.
const { TAGS_LIST_MAX } = Value.Default(configSchema, {}) as Config;

const send = (response: ServerResponse, status: number, body?: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
};

async function answer(url: URL, response: ServerResponse): Promise<void> {
  if (url.pathname === '/api/articles') {
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const { rows, count } = await articles.list({}, { limit, offset }, null);
    return send(response, 200, { articles: rows.map(toListItem), articlesCount: count });
  }
  if (url.pathname === '/api/tags') return send(response, 200, { tags: await tags.list(TAGS_LIST_MAX) });
  const [, slug, sub] = /^\/api\/articles\/([^/]+)(\/comments)?$/.exec(url.pathname) ?? [];
  if (slug === undefined) return send(response, 404);
  if (sub) {
    const rows = await comments.listBySlug(slug, null);
    return rows ? send(response, 200, { comments: rows.map(toComment) }) : send(response, 404);
  }
  const row = await articles.findBySlug(slug, null);
  return row ? send(response, 200, { article: toArticle(row) }) : send(response, 404);
}

const server = createServer((request, response) => {
  answer(new URL(request.url ?? '/', 'http://bare'), response).catch(() => send(response, 500));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end()));
