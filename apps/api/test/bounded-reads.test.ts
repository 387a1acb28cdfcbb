import type { TagsResponse } from '@conduit/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';
import { type Client, client, expectError, registerUser, type TestUser } from './http.js';

let server: TestApi;
let api: Client;
let reader: TestUser;

beforeAll(async () => {
  server = await startTestApi({ PAGE_SIZE_MAX: '100', TAGS_LIST_MAX: '3' });
  api = client(server.url);
  reader = await registerUser(api, 'reader');
});
afterAll(() => server?.close());

describe('page parameters', () => {
  const NOT_PLAIN = ['true', '0x10', '1.5', '-1', '1e3', '+5', ' 5', '5 ', '', 'Infinity', '１０'];

  it('are plain non-negative integers: anything else is a 422 naming the parameter', async () => {
    for (const value of NOT_PLAIN) {
      const encoded = encodeURIComponent(value);
      expectError(await api.get(`/api/articles?limit=${encoded}`), 422, 'limit');
      expectError(await api.get(`/api/articles?offset=${encoded}`), 422, 'offset');
      expectError(
        await api.get(`/api/articles/feed?limit=${encoded}`, { token: reader.token }),
        422,
        'limit',
      );
    }
  });

  it('bound the page size by PAGE_SIZE_MAX, and the offset by what PostgreSQL can hold', async () => {
    for (const limit of ['101', '9007199254740991', '99999999999999999999']) {
      expectError(await api.get(`/api/articles?limit=${limit}`), 422, 'limit');
    }
    expectError(await api.get('/api/articles?offset=9007199254740992'), 422, 'offset');
    for (const query of ['limit=100', 'limit=1&offset=0', 'limit=007', 'offset=9007199254740991']) {
      expect((await api.get(`/api/articles?${query}`)).status, query).toBe(200);
    }
  });
});

describe('a query the statement timeout cancels', () => {
  it('is answered 503 with Retry-After: overload, not a bug', async () => {
    const slow = await startTestApi({ DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    const blocker = new pg.Client({ connectionString: slow.app.config.DATABASE_URL });
    await blocker.connect();
    try {
      // Holding the table's lock makes every read of it wait until the statement timeout cancels it.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE articles IN ACCESS EXCLUSIVE MODE');
      const result = await client(slow.url).get('/api/articles');
      expectError(result, 503, 'server');
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await slow.close();
    }
  });
});

describe('GET /api/tags', () => {
  it('lists the TAGS_LIST_MAX most used tags, sorted by name', async () => {
    const author = await registerUser(api, 'tagger');
    const usage: [string, number][] = [
      ['zeta', 4],
      ['alpha', 3],
      ['mid', 2],
      ['beta', 1],
    ];
    for (let i = 0; i < 4; i++) {
      const tagList = usage.filter(([, count]) => count > i).map(([name]) => name);
      const created = await api.post('/api/articles', {
        token: author.token,
        body: { article: { title: `Tagged ${i}`, description: 'd', body: 'b', tagList } },
      });
      expect(created.status, created.text).toBe(201);
    }
    const result = await api.get<TagsResponse>('/api/tags');
    expect(result.status).toBe(200);
    expect(result.body.tags).toEqual(['alpha', 'mid', 'zeta']);
  });
});
