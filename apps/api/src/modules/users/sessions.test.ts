import type { SingleArticleResponse, UserResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser } from '../../../test/http.js';

let server: TestApi;
let api: Client;

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
});
afterAll(() => server?.close());

describe('revoking sessions', () => {
  it('a new password revokes the tokens issued before it, and the answer carries a fresh one', async () => {
    const user = await registerUser(api, 'rotate');
    const otherDevice = (
      await api.post<UserResponse>('/api/users/login', {
        body: { user: { email: user.email, password: user.password } },
      })
    ).body.user.token;
    const changed = await api.put<UserResponse>('/api/user', {
      token: user.token,
      body: { user: { password: 'a brand new password' } },
    });
    expect(changed.status, changed.text).toBe(200);
    for (const token of [user.token, otherDevice]) {
      expectError(await api.get('/api/user', { token }), 401, 'token', 'is invalid');
    }
    expect((await api.get('/api/user', { token: changed.body.user.token })).status).toBe(200);
    // Other changes keep the session.
    const bio = await api.put<UserResponse>('/api/user', {
      token: changed.body.user.token,
      body: { user: { bio: 'still me' } },
    });
    expect((await api.get('/api/user', { token: bio.body.user.token })).status).toBe(200);
  });

  it('POST /api/user/logout-all signs the user out everywhere', async () => {
    const user = await registerUser(api, 'everywhere');
    const result = await api.post('/api/user/logout-all', { token: user.token });
    expect(result.status, result.text).toBe(204);
    expectError(await api.get('/api/user', { token: user.token }), 401, 'token', 'is invalid');
    expectError(await api.post('/api/user/logout-all'), 401, 'token', 'is missing');
    const again = await api.post<UserResponse>('/api/users/login', {
      body: { user: { email: user.email, password: user.password } },
    });
    expect((await api.get('/api/user', { token: again.body.user.token })).status).toBe(200);
  });

  it("a deleted user's token is refused on every route that reads a token", async () => {
    const ghost = await registerUser(api, 'ghost');
    const author = await registerUser(api, 'author');
    const created = await api.post<SingleArticleResponse>('/api/articles', {
      token: author.token,
      body: { article: { title: 'Haunted', description: 'd', body: 'b' } },
    });
    const slug = created.body.article.slug;
    await server.db.query('DELETE FROM users WHERE username = $1', [ghost.username]);
    const token = ghost.token;
    const calls = [
      api.get('/api/user', { token }),
      api.get('/api/articles/feed', { token }),
      api.get('/api/articles', { token }),
      api.get(`/api/articles/${slug}`, { token }),
      api.get(`/api/articles/${slug}/comments`, { token }),
      api.get(`/api/profiles/${author.username}`, { token }),
      api.post(`/api/profiles/${author.username}/follow`, { token }),
      api.del(`/api/profiles/${author.username}/follow`, { token }),
      api.post(`/api/articles/${slug}/favorite`, { token }),
      api.del(`/api/articles/${slug}/favorite`, { token }),
      api.post(`/api/articles/${slug}/comments`, { token, body: { comment: { body: 'boo' } } }),
      api.post('/api/articles', { token, body: { article: { title: 't', description: 'd', body: 'b' } } }),
      api.post('/api/user/logout-all', { token }),
    ];
    for (const result of await Promise.all(calls)) expectError(result, 401, 'token', 'is invalid');
  });
});
