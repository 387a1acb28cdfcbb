import type {
  MultipleCommentsResponse,
  SingleArticleResponse,
  SingleCommentResponse,
} from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser, type TestUser } from '../../../test/http.js';

let server: TestApi;
let api: Client;
let author: TestUser;
let commenter: TestUser;
let path: string;

const comment = (body: string) => ({ comment: { body } });

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
  [author, commenter] = await Promise.all([registerUser(api, 'author'), registerUser(api, 'commenter')]);
  const created = await api.post<SingleArticleResponse>('/api/articles', {
    token: author.token,
    body: { article: { title: 'Discuss me', description: 'd', body: 'b' } },
  });
  path = `/api/articles/${created.body.article.slug}/comments`;
});
afterAll(() => server?.close());

describe('POST /api/articles/:slug/comments', () => {
  it('answers 201 with the comment and its author', async () => {
    const result = await api.post<SingleCommentResponse>(path, {
      token: commenter.token,
      body: comment('First!'),
    });
    expect(result.status).toBe(201);
    expect(result.body).toEqual({
      comment: {
        id: expect.any(Number),
        createdAt: expect.stringMatching(/Z$/),
        updatedAt: result.body.comment.createdAt,
        body: 'First!',
        author: { username: commenter.username, bio: null, image: null, following: false },
      },
    });
  });

  it("queues one e-mail to the article's author with the comment, none for the author's own comment", async () => {
    const queued = async (id: number) =>
      (
        await server.db.query<{ recipient: string; status: string }>(
          `SELECT u.username AS recipient, n.status FROM comment_notifications n
             JOIN users u ON u.id = n.recipient_id WHERE n.comment_id = $1`,
          [id],
        )
      ).rows;
    const theirs = await api.post<SingleCommentResponse>(path, {
      token: commenter.token,
      body: comment('Nice one'),
    });
    expect(await queued(theirs.body.comment.id)).toEqual([{ recipient: author.username, status: 'pending' }]);
    const own = await api.post<SingleCommentResponse>(path, { token: author.token, body: comment('Thanks') });
    expect(own.status).toBe(201);
    expect(await queued(own.body.comment.id)).toEqual([]);
  });

  it('answers 422 "body can\'t be blank" for a missing or blank body', async () => {
    expectError(
      await api.post(path, { token: commenter.token, body: { comment: {} } }),
      422,
      'body',
      "can't be blank",
    );
    expectError(
      await api.post(path, { token: commenter.token, body: comment(' ') }),
      422,
      'body',
      "can't be blank",
    );
  });

  it('answers 401 without a token and 404 for an unknown article', async () => {
    expectError(await api.post(path, { body: comment('hi') }), 401, 'token', 'is missing');
    expectError(
      await api.post('/api/articles/unknown-slug/comments', { token: commenter.token, body: comment('hi') }),
      404,
      'article',
      'not found',
    );
  });

  it('answers 401 and stores nothing for a validly signed token of a user that does not exist', async () => {
    const ghost = await server.app.issueToken('999999999', 0);
    expectError(
      await api.post(path, { token: ghost, body: comment('from nobody') }),
      401,
      'token',
      'is invalid',
    );
    const { rows } = await server.db.query("SELECT 1 FROM comments WHERE body = 'from nobody'");
    expect(rows).toEqual([]);
  });
});

describe('GET /api/articles/:slug/comments', () => {
  it("lists the comments oldest first, following from the reader's point of view", async () => {
    await api.post(path, { token: author.token, body: comment('Thanks') });
    await api.post(`/api/profiles/${commenter.username}/follow`, { token: author.token });
    const asAuthor = await api.get<MultipleCommentsResponse>(path, { token: author.token });
    expect(asAuthor.status).toBe(200);
    const bodies = asAuthor.body.comments.map((c) => c.body);
    expect(bodies.indexOf('First!')).toBeLessThan(bodies.indexOf('Thanks'));
    expect(asAuthor.body.comments.find((c) => c.body === 'First!')?.author.following).toBe(true);
    const anonymous = await api.get<MultipleCommentsResponse>(path);
    expect(anonymous.body.comments.every((c) => !c.author.following)).toBe(true);
  });

  it('answers an empty list for an article nobody has commented on', async () => {
    const quiet = await api.post<SingleArticleResponse>('/api/articles', {
      token: author.token,
      body: { article: { title: 'Nobody replies', description: 'd', body: 'b' } },
    });
    const result = await api.get<MultipleCommentsResponse>(
      `/api/articles/${quiet.body.article.slug}/comments`,
    );
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ comments: [] });
  });

  it('answers 404 for an unknown article and 401 for a bad token', async () => {
    expectError(await api.get('/api/articles/unknown-slug/comments'), 404, 'article', 'not found');
    expectError(await api.get(path, { token: 'a.b.c' }), 401, 'token', 'is invalid');
  });
});

describe('DELETE /api/articles/:slug/comments/:id', () => {
  it('checks 401, then 404 (article, comment), then 403, then deletes with 204', async () => {
    const created = await api.post<SingleCommentResponse>(path, {
      token: commenter.token,
      body: comment('Oops'),
    });
    const id = created.body.comment.id;
    expectError(await api.del(`${path}/${id}`), 401, 'token', 'is missing');
    expectError(
      await api.del(`/api/articles/unknown-slug/comments/${id}`, { token: commenter.token }),
      404,
      'article',
      'not found',
    );
    expectError(await api.del(`${path}/999999`, { token: commenter.token }), 404, 'comment', 'not found');
    expectError(await api.del(`${path}/99999999999999999999`, { token: commenter.token }), 404, 'comment');
    expectError(await api.del(`${path}/${id}`, { token: author.token }), 403, 'comment', 'forbidden');

    const deleted = await api.del(`${path}/${id}`, { token: commenter.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const left = await api.get<MultipleCommentsResponse>(path);
    expect(left.body.comments.map((c) => c.id)).not.toContain(id);
    expectError(await api.del(`${path}/${id}`, { token: commenter.token }), 404, 'comment', 'not found');
  });

  it('answers 404 for a comment of another article', async () => {
    const other = await api.post<SingleArticleResponse>('/api/articles', {
      token: commenter.token,
      body: { article: { title: 'Elsewhere', description: 'd', body: 'b' } },
    });
    const elsewhere = await api.post<SingleCommentResponse>(
      `/api/articles/${other.body.article.slug}/comments`,
      {
        token: commenter.token,
        body: comment('Not here'),
      },
    );
    expectError(
      await api.del(`${path}/${elsewhere.body.comment.id}`, { token: commenter.token }),
      404,
      'comment',
      'not found',
    );
  });

  it('answers 422 for an id that is not a number', async () => {
    expectError(await api.del(`${path}/abc`, { token: commenter.token }), 422, 'id');
  });

  it('deleting the article deletes its comments', async () => {
    const slug = path.split('/')[3];
    const article = await server.db.query('SELECT id FROM articles WHERE slug = $1', [slug]);
    const count = async () =>
      (
        await server.db.query('SELECT count(*)::int AS n FROM comments WHERE article_id = $1', [
          article.rows[0].id,
        ])
      ).rows[0].n;
    expect(await count()).toBeGreaterThan(0);
    expect((await api.del(`/api/articles/${slug}`, { token: author.token })).status).toBe(204);
    expect(await count()).toBe(0);
    expectError(await api.get(path), 404, 'article', 'not found');
  });
});
