import { routes, type SingleArticleResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/helpers.js';
import { client, expectError, registerUser } from '../../test/http.js';

let server: TestApi;

beforeAll(async () => {
  server = await startTestApi();
});
afterAll(() => server?.close());

describe('modules', () => {
  it('register every route of the shared contract under /api', () => {
    for (const route of Object.values(routes)) {
      expect(server.app.hasRoute({ method: route.method, url: `/api${route.path}` }), route.operationId).toBe(
        true,
      );
    }
  });

  it('publish every route with its schemas in the OpenAPI document', async () => {
    const result = await client(server.url).get<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>('/api/docs/json');
    expect(result.status).toBe(200);
    const operations = Object.values(result.body.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    for (const route of Object.values(routes))
      expect(operations, route.operationId).toContain(route.operationId);
    const createArticle = result.body.paths['/api/articles']?.post as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    expect(Object.keys(createArticle.responses)).toEqual(expect.arrayContaining(['201', '401', '422']));
    expect(createArticle.requestBody.content).toHaveProperty('application/json');
  });
});

describe('JSON bodies', () => {
  const article = (title: string) => `{"article":{"title":"${title}","description":"d","body":"b"}}`;

  // Stored as U+FFFD, they would be answered 201 and read back different from what was sent.
  it('refuses lone surrogates with a 422 naming the field, and keeps escaped pairs', async () => {
    const api = client(server.url);
    const { token } = await registerUser(api, 'surrogates');
    for (const title of ['lone \\ud800 high', 'lone \\udfff low', 'reversed \\ude00\\ud83d']) {
      expectError(
        await api.post('/api/articles', { token, body: article(title) }),
        422,
        'title',
        'is not valid Unicode',
      );
    }
    expectError(
      await api.put('/api/user', { token, body: '{"user":{"bio":"\\ud83d"}}' }),
      422,
      'bio',
      'is not valid Unicode',
    );
    const pair = await api.post<SingleArticleResponse>('/api/articles', {
      token,
      body: article('pair \\ud83d\\ude00'),
    });
    expect(pair.status, pair.text).toBe(201);
    expect(pair.body.article.title).toBe('pair \u{1F600}');
  });

  it('refuses bytes that are not UTF-8 as invalid JSON', async () => {
    const api = client(server.url);
    const { token } = await registerUser(api, 'bytes');
    const body = Buffer.concat([
      Buffer.from('{"user":{"bio":"'),
      Buffer.from([0xff, 0xc0, 0xaf]),
      Buffer.from('"}}'),
    ]);
    const response = await fetch(`${server.url}/api/user`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: { body: ['is not valid JSON'] } });
    const user = await api.get<{ user: { bio: string | null } }>('/api/user', { token });
    expect(user.body.user.bio).toBeNull();
  });
});
