import type { SingleArticleResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';
import { type Client, client, expectError, type HttpResult, registerUser } from './http.js';

let server: TestApi;
let api: Client;

beforeAll(async () => {
  server = await startTestApi({
    ARTICLE_RATE_LIMIT_MAX: '3',
    COMMENT_RATE_LIMIT_MAX: '2',
    TAG_RATE_LIMIT_MAX: '5',
  });
  api = client(server.url);
});
afterAll(() => server?.close());

const article = (title: string, tagList: string[] = []) => ({
  article: { title, description: 'd', body: 'b', tagList },
});

function expectThrottled(result: HttpResult, field: string): void {
  expectError(result, 429, field);
  expect(Number(result.headers.get('retry-after')), result.text).toBeGreaterThan(0);
}

describe('write throttles per user', () => {
  it('articles: ARTICLE_RATE_LIMIT_MAX per window, then 429 with Retry-After', async () => {
    const busy = await registerUser(api, 'busy');
    for (let i = 0; i < 3; i++) {
      expect(
        (await api.post('/api/articles', { token: busy.token, body: article(`Busy ${i}`) })).status,
      ).toBe(201);
    }
    expectThrottled(
      await api.post('/api/articles', { token: busy.token, body: article('One too many') }),
      'article',
    );
    const calm = await registerUser(api, 'calm');
    expect((await api.post('/api/articles', { token: calm.token, body: article('Mine') })).status).toBe(201);
  });

  it('comments: COMMENT_RATE_LIMIT_MAX per window', async () => {
    const author = await registerUser(api, 'host');
    const { slug } = (
      await api.post<SingleArticleResponse>('/api/articles', { token: author.token, body: article('Talk') })
    ).body.article;
    const chatty = await registerUser(api, 'chatty');
    const comment = () =>
      api.post(`/api/articles/${slug}/comments`, { token: chatty.token, body: { comment: { body: 'hi' } } });
    expect((await comment()).status).toBe(201);
    expect((await comment()).status).toBe(201);
    expectThrottled(await comment(), 'comment');
  });

  it('tags: TAG_RATE_LIMIT_MAX new tags per window; tags already in use are free', async () => {
    const tagger = await registerUser(api, 'tagger');
    const post = (title: string, tags: string[]) =>
      api.post('/api/articles', { token: tagger.token, body: article(title, tags) });
    const fresh = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    expect((await post('Four new', fresh('t4', 4))).status).toBe(201);
    expectThrottled(await post('Two more', fresh('t2', 2)), 'tagList');
    // Reused tags cost nothing; one new one fits the budget.
    expect((await post('Reuse', [...fresh('t4', 4), 'one-new'])).status).toBe(201);
    const editor = await registerUser(api, 'editor');
    const { slug } = (
      await api.post<SingleArticleResponse>('/api/articles', {
        token: editor.token,
        body: article('Edit me'),
      })
    ).body.article;
    const many = fresh('edit', 6);
    expectThrottled(
      await api.put(`/api/articles/${slug}`, { token: editor.token, body: { article: { tagList: many } } }),
      'tagList',
    );
  });
});
