import type { MultipleArticlesResponse, SingleArticleResponse, TagsResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser, type TestUser } from '../../../test/http.js';

let server: TestApi;
let api: Client;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

const draft = (title: string, tagList?: string[]) => ({
  article: {
    title,
    description: `About ${title}`,
    body: `The body of ${title}`,
    ...(tagList ? { tagList } : {}),
  },
});

async function create(user: TestUser, title: string, tagList?: string[]) {
  const result = await api.post<SingleArticleResponse>('/api/articles', {
    token: user.token,
    body: draft(title, tagList),
  });
  expect(result.status, result.text).toBe(201);
  return result.body.article;
}

const list = (query: string, token?: string) =>
  api.get<MultipleArticlesResponse>(`/api/articles${query}`, { token });

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
  [alice, bob, carol] = await Promise.all([
    registerUser(api, 'alice'),
    registerUser(api, 'bob'),
    registerUser(api, 'carol'),
  ]);
});
afterAll(() => server?.close());

describe('POST /api/articles', () => {
  it('answers 201 with the article: unique tags in the given order, author profile, zero favorites', async () => {
    const result = await api.post<SingleArticleResponse>('/api/articles', {
      token: alice.token,
      body: draft('How to train your dragon', ['training', 'dragons', 'training', ' ']),
    });
    expect(result.status).toBe(201);
    const { article } = result.body;
    expect(article).toEqual({
      slug: 'how-to-train-your-dragon',
      title: 'How to train your dragon',
      description: 'About How to train your dragon',
      body: 'The body of How to train your dragon',
      tagList: ['training', 'dragons'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: article.createdAt,
      favorited: false,
      favoritesCount: 0,
      author: { username: alice.username, bio: null, image: null, following: false },
    });
  });

  it('gives duplicate titles distinct slugs that each lead to their own article', async () => {
    const first = await create(bob, 'Same title');
    const second = await create(carol, 'Same title');
    expect(second.slug).not.toBe(first.slug);
    const fetched = await api.get<SingleArticleResponse>(`/api/articles/${second.slug}`);
    expect(fetched.body.article.author.username).toBe(carol.username);
  });

  it('creates an article without tags with an empty tagList', async () => {
    expect((await create(bob, 'No tags at all')).tagList).toEqual([]);
  });

  it.each(['title', 'description', 'body'])(
    'answers 422 "%s can\'t be blank" when missing or blank',
    async (field) => {
      const missing = draft('Missing field').article as Record<string, unknown>;
      delete missing[field];
      expectError(
        await api.post('/api/articles', { token: alice.token, body: { article: missing } }),
        422,
        field,
        "can't be blank",
      );
      const blank = { ...draft('Blank field').article, [field]: '   ' };
      expectError(
        await api.post('/api/articles', { token: alice.token, body: { article: blank } }),
        422,
        field,
        "can't be blank",
      );
    },
  );

  it('answers 422 for a tagList that is not a list of strings', async () => {
    const result = await api.post('/api/articles', {
      token: alice.token,
      body: { article: { ...draft('Tags').article, tagList: [{ nested: true }] } },
    });
    expectError(result, 422, 'tagList');
  });

  it('answers 401 without a token, before looking at the body', async () => {
    expectError(await api.post('/api/articles', { body: { article: {} } }), 401, 'token', 'is missing');
  });

  // Tokens are checked by signature only: the user's foreign key is what finds out that they are gone.
  it('answers 401 and stores nothing for a validly signed token of a user that does not exist', async () => {
    const ghost = await server.app.issueToken('999999999', 0);
    const result = await api.post('/api/articles', { token: ghost, body: draft('Written by nobody') });
    expectError(result, 401, 'token', 'is invalid');
    const { rows } = await server.db.query("SELECT 1 FROM articles WHERE title = 'Written by nobody'");
    expect(rows).toEqual([]);
  });
});

describe('GET /api/articles/:slug', () => {
  it('returns the article to anonymous readers and 404 "article not found" for an unknown slug', async () => {
    const article = await create(alice, 'Readable by anyone');
    const result = await api.get<SingleArticleResponse>(`/api/articles/${article.slug}`);
    expect(result.status).toBe(200);
    expect(result.body.article).toEqual(article);
    expectError(await api.get('/api/articles/no-such-article'), 404, 'article', 'not found');
  });
});

describe('PUT /api/articles/:slug', () => {
  it('updates fields, renames the slug with the title and moves updatedAt', async () => {
    const before = await create(alice, 'Original title', ['old']);
    const result = await api.put<SingleArticleResponse>(`/api/articles/${before.slug}`, {
      token: alice.token,
      body: { article: { title: 'Did you train your dragon?', body: 'New body', tagList: ['new', 'fresh'] } },
    });
    expect(result.status).toBe(200);
    const after = result.body.article;
    expect(after).toMatchObject({
      slug: 'did-you-train-your-dragon',
      title: 'Did you train your dragon?',
      description: before.description,
      body: 'New body',
      tagList: ['new', 'fresh'],
      createdAt: before.createdAt,
    });
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    expect((await api.get(`/api/articles/${after.slug}`)).status).toBe(200);
    expect((await api.get(`/api/articles/${before.slug}`)).status).toBe(404);
  });

  it('keeps tags when tagList is omitted, clears them with [] and refuses null', async () => {
    const before = await create(alice, 'Tag lifecycle', ['b-tag', 'a-tag']);
    const path = `/api/articles/${before.slug}`;
    const kept = await api.put<SingleArticleResponse>(path, {
      token: alice.token,
      body: { article: { body: 'x' } },
    });
    expect(kept.body.article.tagList).toEqual(['b-tag', 'a-tag']);
    expectError(
      await api.put(path, { token: alice.token, body: { article: { tagList: null } } }),
      422,
      'tagList',
    );
    const cleared = await api.put<SingleArticleResponse>(path, {
      token: alice.token,
      body: { article: { tagList: [] } },
    });
    expect(cleared.body.article.tagList).toEqual([]);
    expect((await api.get<SingleArticleResponse>(path)).body.article.tagList).toEqual([]);
  });

  it('keeps the slug when only the body changes', async () => {
    const before = await create(alice, 'Stable slug');
    const result = await api.put<SingleArticleResponse>(`/api/articles/${before.slug}`, {
      token: alice.token,
      body: { article: { description: 'changed' } },
    });
    expect(result.body.article).toMatchObject({ slug: before.slug, description: 'changed', tagList: [] });
  });

  it('checks 401, then 404, then 403, then the body', async () => {
    const article = await create(alice, 'Guarded article');
    const path = `/api/articles/${article.slug}`;
    expectError(
      await api.put('/api/articles/unknown-slug', { body: draft('x') }),
      401,
      'token',
      'is missing',
    );
    expectError(
      await api.put('/api/articles/unknown-slug', { token: bob.token, body: draft('x') }),
      404,
      'article',
    );
    expectError(await api.put(path, { token: bob.token, body: draft('x') }), 403, 'article', 'forbidden');
    expectError(
      await api.put(path, { token: alice.token, body: { article: { title: '' } } }),
      422,
      'title',
      "can't be blank",
    );
    expect((await api.get<SingleArticleResponse>(path)).body.article.title).toBe('Guarded article');
  });
});

describe('DELETE /api/articles/:slug', () => {
  it('answers 401, 403, then 204 with an empty body, then 404', async () => {
    const article = await create(alice, 'Short-lived', ['ephemeral-tag']);
    const path = `/api/articles/${article.slug}`;
    expectError(await api.del(path), 401, 'token', 'is missing');
    expectError(await api.del(path, { token: bob.token }), 403, 'article', 'forbidden');
    const deleted = await api.del(path, { token: alice.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await api.get(path), 404, 'article', 'not found');
    expectError(await api.del(path, { token: alice.token }), 404, 'article', 'not found');
    const tags = await api.get<TagsResponse>('/api/tags');
    expect(tags.body.tags).not.toContain('ephemeral-tag');
  });
});

describe('favorites', () => {
  it('favorites and unfavorites, counting every user once', async () => {
    const article = await create(alice, 'Much loved');
    const path = `/api/articles/${article.slug}/favorite`;
    const first = await api.post<SingleArticleResponse>(path, { token: bob.token });
    expect(first.status).toBe(200);
    expect(first.body.article).toMatchObject({ slug: article.slug, favorited: true, favoritesCount: 1 });
    await api.post(path, { token: bob.token });
    const second = await api.post<SingleArticleResponse>(path, { token: carol.token });
    expect(second.body.article).toMatchObject({ favorited: true, favoritesCount: 2 });

    const anonymous = await api.get<SingleArticleResponse>(`/api/articles/${article.slug}`);
    expect(anonymous.body.article).toMatchObject({ favorited: false, favoritesCount: 2 });

    const removed = await api.del<SingleArticleResponse>(path, { token: bob.token });
    expect(removed.status).toBe(200);
    expect(removed.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
  });

  it('answers 401 without a token and 404 for an unknown article', async () => {
    expectError(await api.post('/api/articles/unknown-slug/favorite'), 401, 'token', 'is missing');
    expectError(await api.del('/api/articles/unknown-slug/favorite'), 401, 'token', 'is missing');
    expectError(await api.post('/api/articles/unknown-slug/favorite', { token: bob.token }), 404, 'article');
    expectError(await api.del('/api/articles/unknown-slug/favorite', { token: bob.token }), 404, 'article');
  });

  it('answers 401 for a validly signed token of a user that does not exist', async () => {
    const article = await create(alice, 'Loved by nobody');
    const ghost = await server.app.issueToken('999999999', 0);
    const result = await api.post(`/api/articles/${article.slug}/favorite`, { token: ghost });
    expectError(result, 401, 'token', 'is invalid');
    const fetched = await api.get<SingleArticleResponse>(`/api/articles/${article.slug}`);
    expect(fetched.body.article.favoritesCount).toBe(0);
  });
});

describe('GET /api/articles and /api/articles/feed', () => {
  let writer: TestUser;
  let reader: TestUser;
  const titles: string[] = [];

  beforeAll(async () => {
    [writer, reader] = await Promise.all([registerUser(api, 'writer'), registerUser(api, 'reader')]);
    for (let index = 0; index < 5; index += 1) {
      const tags = index % 2 === 0 ? ['even-tag', 'listing'] : ['listing'];
      titles.push((await create(writer, `Listing ${index}`, tags)).title);
    }
    const loved = titles[1]!.toLowerCase().replace(' ', '-');
    await api.post(`/api/articles/${loved}/favorite`, { token: reader.token });
  });

  it('lists newest first without bodies, with the total count', async () => {
    const result = await list(`?author=${writer.username}`);
    expect(result.status).toBe(200);
    expect(result.body.articlesCount).toBe(5);
    expect(result.body.articles.map((article) => article.title)).toEqual([...titles].reverse());
    for (const article of result.body.articles) expect(article).not.toHaveProperty('body');
    const all = await list('');
    expect(all.body.articlesCount).toBeGreaterThan(5);
    const times = all.body.articles.map((article) => Date.parse(article.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('pages with limit and offset, the count staying the total', async () => {
    const page = await list(`?author=${writer.username}&limit=2&offset=1`);
    expect(page.body.articles.map((article) => article.title)).toEqual([titles[3], titles[2]]);
    expect(page.body.articlesCount).toBe(5);
    const beyond = await list(`?author=${writer.username}&limit=2&offset=10`);
    expect(beyond.body).toEqual({ articles: [], articlesCount: 5 });
  });

  it('defaults to 20 articles per page', async () => {
    for (let index = 0; index < 21; index += 1) {
      await server.db.query(
        `INSERT INTO articles (slug, title, description, body, author_id)
         SELECT $1, 'bulk', 'bulk', 'bulk', id FROM users WHERE username = $2`,
        [`bulk-${index}`, carol.username],
      );
    }
    const result = await list(`?author=${carol.username}`);
    expect(result.body.articles).toHaveLength(20);
    expect(result.body.articlesCount).toBeGreaterThanOrEqual(21);
  });

  it('filters by tag, author and favorited, alone and together', async () => {
    const byTag = await list('?tag=even-tag');
    expect(byTag.body.articles.map((article) => article.title)).toEqual([titles[4], titles[2], titles[0]]);
    expect(byTag.body.articlesCount).toBe(3);
    const favorited = await list(`?favorited=${reader.username}`);
    expect(favorited.body.articles.map((article) => article.title)).toEqual([titles[1]]);
    const both = await list(`?tag=even-tag&author=${writer.username}&limit=1`);
    expect(both.body.articlesCount).toBe(3);
    expect(both.body.articles).toHaveLength(1);
    const none = await list(`?tag=even-tag&favorited=${reader.username}`);
    expect(none.body).toEqual({ articles: [], articlesCount: 0 });
    expect((await list('?author=nobody-at-all')).body).toEqual({ articles: [], articlesCount: 0 });
  });

  it("shows favorited and following from the reader's point of view", async () => {
    await api.post(`/api/profiles/${writer.username}/follow`, { token: reader.token });
    const mine = await list(`?favorited=${reader.username}`, reader.token);
    expect(mine.body.articles[0]).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(mine.body.articles[0]?.author).toMatchObject({ username: writer.username, following: true });
    const anonymous = await list(`?favorited=${reader.username}`);
    expect(anonymous.body.articles[0]).toMatchObject({ favorited: false, author: { following: false } });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
  ])('answers 422 for %s', async (query, field) => {
    expectError(await list(`?${query}`), 422, field);
  });

  it('feed: 401 without a token, else only followed authors, newest first, paged', async () => {
    expectError(await api.get('/api/articles/feed'), 401, 'token', 'is missing');
    const follower = await registerUser(api, 'follower');
    const empty = await api.get<MultipleArticlesResponse>('/api/articles/feed', { token: follower.token });
    expect(empty.body).toEqual({ articles: [], articlesCount: 0 });
    await api.post(`/api/profiles/${writer.username}/follow`, { token: follower.token });
    const feed = await api.get<MultipleArticlesResponse>('/api/articles/feed?limit=2&offset=1', {
      token: follower.token,
    });
    expect(feed.status).toBe(200);
    expect(feed.body.articlesCount).toBe(5);
    expect(feed.body.articles.map((article) => article.title)).toEqual([titles[3], titles[2]]);
    for (const article of feed.body.articles) {
      expect(article).not.toHaveProperty('body');
      expect(article.author).toEqual({ username: writer.username, bio: null, image: null, following: true });
    }
  });
});

describe('GET /api/tags', () => {
  it('returns every tag in use once, sorted', async () => {
    await create(bob, 'Tagged', ['zeta', 'Alpha', 'beta', 'zeta']);
    const result = await api.get<TagsResponse>('/api/tags');
    expect(result.status).toBe(200);
    const { tags } = result.body;
    expect(tags).toEqual([...new Set(tags)].sort());
    expect(tags).toEqual(expect.arrayContaining(['Alpha', 'beta', 'zeta', 'dragons', 'training']));
  });
});
