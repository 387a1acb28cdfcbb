import {
  type RouteContract,
  routes,
  type SingleArticleResponse,
  type SingleCommentResponse,
} from '@conduit/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';
import {
  type Client,
  client,
  expectError,
  expectErrorShape,
  type HttpResult,
  registerUser,
  type TestUser,
} from './http.js';

// Every route of the contract gets malformed requests: none may answer 5xx, and every error must have the
// spec's shape. The valid token matters: without it most routes stop at the 401 and never parse the rest.

let server: TestApi;
let api: Client;
let owner: TestUser;
let ownerId: string;
let samples: Record<string, string>;

const huge = 'x'.repeat(200_000);

const BODIES: readonly (string | unknown)[] = [
  '{"user":',
  '{"article": {"title": "unterminated}',
  'not json at all',
  '[]',
  '[{"user":{}}]',
  '"a string"',
  '42',
  'null',
  'true',
  '{}',
  { user: [] },
  { user: 'text' },
  { user: null },
  { user: { username: 42, email: ['a@b.c'], password: { nested: true } } },
  { user: { username: huge, email: `${huge}@example.org`, password: huge, bio: huge, image: huge } },
  { user: { username: 'nul\u0000byte', email: 'nul\u0000@example.org', password: 'p\u0000' } },
  { user: { email: 'x@example.org', password: 'whatever' } },
  { article: [] },
  { article: { title: 1, description: false, body: null, tagList: 'not-a-list' } },
  { article: { title: huge, description: huge, body: huge, tagList: [huge] } },
  {
    article: {
      title: 't',
      description: 'd',
      body: 'b',
      tagList: Array.from({ length: 500 }, (_, i) => `t${i}`),
    },
  },
  { article: { title: '\u0000', description: '\u0000', body: '\u0000', tagList: ['\u0000'] } },
  { comment: [] },
  { comment: { body: { html: '<b>' } } },
  { comment: { body: huge } },
  { comment: { body: 'nul \u0000 byte' } },
  { __proto__: { admin: true }, user: {} },
  '{"constructor":{"prototype":{"admin":true}}}',
];

const BAD_TOKENS = [
  'Token',
  'Token ',
  'Token a.b.c',
  'Token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  `Token ${'a'.repeat(8000)}.b.c`,
  'Basic dXNlcjpwYXNz',
  'Token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiItMSJ9.invalidsignature',
];

const PARAM_VARIANTS: Record<string, string[]> = {
  slug: ['%00', 'a%2Fb', '%E2%98%83', `${'s'.repeat(99)}`, '..', "'; DROP TABLE articles; --"],
  username: ['%00', '%E2%98%83', "' OR '1'='1", '%25'],
  id: ['-1', '0', '1.5', '1e3', 'abc', '99999999999999999999999', '%00', 'NaN'],
};

const QUERIES = [
  'limit=0',
  'limit=-5',
  'limit=abc',
  'limit=1e309',
  'limit=99999999999999999999',
  'offset=99999999999999999999',
  'offset=1.5',
  'limit[]=1',
  'tag=a&tag=b',
  'tag=%00',
  `author=${'x'.repeat(5000)}`,
  'favorited=%E2%98%83',
];

function path(route: RouteContract, values: Record<string, string> = samples): string {
  return `/api${route.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'missing')}`;
}

function expectSafe(result: HttpResult, what: string): void {
  expect(result.status, `${what} → ${result.status} ${result.text.slice(0, 300)}`).toBeLessThan(500);
  if (result.status >= 400) expectErrorShape(result);
}

async function createSamples(): Promise<void> {
  const article = await api.post<SingleArticleResponse>('/api/articles', {
    token: owner.token,
    body: { article: { title: 'Target', description: 'd', body: 'b', tagList: ['t'] } },
  });
  const comment = await api.post<SingleCommentResponse>(
    `/api/articles/${article.body.article.slug}/comments`,
    {
      token: owner.token,
      body: { comment: { body: 'c' } },
    },
  );
  samples = {
    slug: article.body.article.slug,
    username: owner.username,
    id: String(comment.body.comment.id),
  };
}

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
  owner = await registerUser(api, 'owner');
  const { rows } = await server.db.query('SELECT id::text AS id FROM users WHERE username = $1', [
    owner.username,
  ]);
  ownerId = rows[0].id;
  await createSamples();
});
// Requests with a valid token may delete the sample article or comment: every test starts with both.
// A valid body may also change the owner's password, which revokes the token: every test gets a current one.
beforeEach(async () => {
  const version = await server.db.query('SELECT token_version FROM users WHERE id = $1', [ownerId]);
  owner = { ...owner, token: await server.app.issueToken(ownerId, version.rows[0].token_version) };
  const { rows } = await server.db.query('SELECT 1 FROM comments WHERE id = $1', [samples.id]);
  if (rows.length === 0) await createSamples();
});
afterAll(() => server?.close());

describe('bad input to every route never causes a 5xx', () => {
  // Deleting routes go last, so the others meet the sample article and comment and reach the database.
  const all = (Object.entries(routes) as [string, RouteContract][]).sort(
    ([, a], [, b]) => Number(a.status === 204) - Number(b.status === 204),
  );

  // fetch cannot send a body with GET; Fastify would not read one anyway.
  const withBody = all.filter(([, route]) => route.method !== 'GET');

  it.each(withBody)('%s: malformed, mistyped, oversized and hostile bodies', async (_name, route) => {
    for (const token of [owner.token, undefined]) {
      for (const body of BODIES) {
        const result = await api.call(route.method, path(route), { token, body });
        expectSafe(result, `${route.method} ${route.path} ${JSON.stringify(body).slice(0, 80)}`);
      }
    }
  });

  it.each(withBody)('%s: wrong content types and oversized payloads', async (_name, route) => {
    for (const contentType of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ]) {
      const result = await api.call(route.method, path(route), {
        token: owner.token,
        body: '<user><email>a@b.c</email></user>',
        headers: { 'content-type': contentType },
      });
      expectSafe(result, `${route.method} ${route.path} as ${contentType}`);
    }
    const tooLarge = await api.call(route.method, path(route), {
      token: owner.token,
      body: JSON.stringify({ user: { bio: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expectSafe(tooLarge, `${route.method} ${route.path} with 2 MiB`);
    expect(tooLarge.status).toBe(413);
  });

  it.each(all)('%s: bad tokens', async (_name, route) => {
    for (const authorization of BAD_TOKENS) {
      const result = await api.call(route.method, path(route), { headers: { authorization } });
      expectSafe(result, `${route.method} ${route.path} with "${authorization.slice(0, 40)}"`);
      if (route.auth !== 'none') expect(result.status, authorization).toBe(401);
    }
  });

  it.each(all.filter(([, route]) => route.path.includes(':')))(
    '%s: hostile path parameters',
    async (_n, route) => {
      for (const [name, variants] of Object.entries(PARAM_VARIANTS)) {
        if (!route.path.includes(`:${name}`)) continue;
        for (const variant of variants) {
          const result = await api.call(route.method, path(route, { ...samples, [name]: variant }), {
            token: owner.token,
          });
          expectSafe(result, `${route.method} ${route.path} with ${name}=${variant.slice(0, 40)}`);
        }
      }
    },
  );

  it.each(all.filter(([, route]) => route.method === 'GET'))(
    '%s: hostile query strings',
    async (_n, route) => {
      for (const query of QUERIES) {
        const result = await api.call('GET', `${path(route)}?${query}`, { token: owner.token });
        expectSafe(result, `GET ${route.path}?${query.slice(0, 40)}`);
      }
    },
  );

  it.each(all)('%s: a method the route does not have is a 405 naming the allowed ones', async (_n, route) => {
    const result = await api.call('PATCH', path(route), { token: owner.token, body: {} });
    expect(result.status).toBe(405);
    expectErrorShape(result);
    expect(result.headers.get('allow')).toContain(route.method);
  });
});

describe('what clients are told', () => {
  it('names the problem with the body', async () => {
    expectError(await api.post('/api/users/login', { body: '{"user":' }), 400, 'body', 'is not valid JSON');
    expectError(
      await api.post('/api/users/login', { body: '<user/>', headers: { 'content-type': 'application/xml' } }),
      415,
      'body',
    );
    const tooLarge = await api.post('/api/users/login', {
      body: { user: { email: 'x'.repeat(2 * 1024 * 1024) } },
    });
    expectError(tooLarge, 413, 'body', 'is too large');
  });

  it('does not coerce mistyped body fields into strings', async () => {
    const result = await api.post('/api/users', {
      body: { user: { username: 12345, email: 'typed@example.org', password: 'password123' } },
    });
    expectError(result, 422, 'username', 'must be a string');
  });
});

describe('unknown routes', () => {
  it.each(['/api', '/api/', '/api/nope', '/api/articles/a/b/c/d', '/api/users/login/extra', '/nope'])(
    'GET %s is a 404 in the error shape',
    async (url) => {
      const result = await api.get(url);
      expect(result.status).toBe(404);
      expectErrorShape(result);
    },
  );

  // The router rejects these before any hook runs; `frameworkErrors` gives them the spec's shape.
  it.each([
    ['/api/articles/%E0%A4%A', 400],
    ['/api/profiles/%', 400],
    [`/api/articles/${'x'.repeat(600)}`, 414],
    [`/api/profiles/${'x'.repeat(600)}/follow`, 414],
  ])('rejects the unroutable URL %s as a client error in the spec shape', async (url, status) => {
    const result = await api.get(url);
    expect(result.status).toBe(status);
    expectErrorShape(result);
  });

  it('routes a long non-ASCII username (percent-encoded beyond 100 characters)', async () => {
    const result = await api.get(`/api/profiles/${encodeURIComponent('ü'.repeat(40))}`);
    expect(result.status).toBe(404);
    expectErrorShape(result);
  });
});
