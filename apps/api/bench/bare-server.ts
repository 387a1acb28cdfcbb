// The ceiling for the list benchmark: a bare node:http server running the very same repository query as
// the API (same SQL, same pool size) with no framework, validation, hooks or schema serialisation.
import { createServer } from 'node:http';
import { createPool } from '../src/db/pool.js';
import { articlesRepository } from '../src/modules/articles/repository.js';
import { toListItem } from '../src/modules/articles/routes.js';

const pool = createPool({
  connectionString: process.env.DATABASE_URL ?? '',
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  connectTimeoutMs: 2000,
  statementTimeoutMs: 5000,
});
const repo = articlesRepository(pool);

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://bare');
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  try {
    const { rows, count } = await repo.list({}, { limit, offset }, null);
    const articles = rows.map(toListItem);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify({ articles, articlesCount: count }));
  } catch {
    response.writeHead(500).end();
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end()));
