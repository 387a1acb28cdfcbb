import type { ProfileResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser, type TestUser } from '../../../test/http.js';

let server: TestApi;
let api: Client;
let celeb: TestUser;
let fan: TestUser;

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
  [celeb, fan] = await Promise.all([registerUser(api, 'celeb'), registerUser(api, 'fan')]);
  await api.put('/api/user', {
    token: celeb.token,
    body: { user: { bio: 'famous', image: 'https://example.org/c.png' } },
  });
});
afterAll(() => server?.close());

const profilePath = (user: TestUser) => `/api/profiles/${encodeURIComponent(user.username)}`;

describe('GET /api/profiles/:username', () => {
  it('returns the profile to anonymous readers with following false', async () => {
    const result = await api.get<ProfileResponse>(profilePath(celeb));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      profile: {
        username: celeb.username,
        bio: 'famous',
        image: 'https://example.org/c.png',
        following: false,
      },
    });
  });

  it('shows null bio and image as null', async () => {
    const result = await api.get<ProfileResponse>(profilePath(fan));
    expect(result.body.profile).toEqual({ username: fan.username, bio: null, image: null, following: false });
  });

  it('finds usernames case-insensitively, as they are unique, and answers the stored spelling', async () => {
    const result = await api.get<ProfileResponse>(`/api/profiles/${celeb.username.toUpperCase()}`);
    expect(result.status).toBe(200);
    expect(result.body.profile.username).toBe(celeb.username);
  });

  it('answers 404 "profile not found" for an unknown username', async () => {
    expectError(await api.get('/api/profiles/nobody-here'), 404, 'profile', 'not found');
  });

  it('answers 401 for a bad token even though authentication is optional', async () => {
    expectError(await api.get(profilePath(celeb), { token: 'x.y.z' }), 401, 'token', 'is invalid');
  });
});

describe('POST and DELETE /api/profiles/:username/follow', () => {
  it('follows, shows following to the follower only, is idempotent, and unfollows', async () => {
    const followed = await api.post<ProfileResponse>(`${profilePath(celeb)}/follow`, { token: fan.token });
    expect(followed.status).toBe(200);
    expect(followed.body.profile).toMatchObject({ username: celeb.username, following: true });
    const again = await api.post<ProfileResponse>(`${profilePath(celeb)}/follow`, { token: fan.token });
    expect(again.body.profile.following).toBe(true);

    expect(
      (await api.get<ProfileResponse>(profilePath(celeb), { token: fan.token })).body.profile.following,
    ).toBe(true);
    expect((await api.get<ProfileResponse>(profilePath(celeb))).body.profile.following).toBe(false);
    expect(
      (await api.get<ProfileResponse>(profilePath(fan), { token: celeb.token })).body.profile.following,
    ).toBe(false);

    const unfollowed = await api.del<ProfileResponse>(`${profilePath(celeb)}/follow`, { token: fan.token });
    expect(unfollowed.status).toBe(200);
    expect(unfollowed.body.profile).toMatchObject({ username: celeb.username, following: false });
    expect(
      (await api.get<ProfileResponse>(profilePath(celeb), { token: fan.token })).body.profile.following,
    ).toBe(false);
  });

  it('accepts a JSON content type with an empty body (as browsers send it)', async () => {
    const result = await api.call('POST', `${profilePath(celeb)}/follow`, {
      token: fan.token,
      headers: { 'content-type': 'application/json' },
    });
    expect(result.status).toBe(200);
    await api.del(`${profilePath(celeb)}/follow`, { token: fan.token });
  });

  it('answers 401 before 404: no token for an unknown user is a 401', async () => {
    expectError(await api.post('/api/profiles/nobody-here/follow'), 401, 'token', 'is missing');
    expectError(await api.del('/api/profiles/nobody-here/follow'), 401, 'token', 'is missing');
  });

  it('answers 404 for an unknown user with a valid token', async () => {
    expectError(
      await api.post('/api/profiles/nobody-here/follow', { token: fan.token }),
      404,
      'profile',
      'not found',
    );
    expectError(
      await api.del('/api/profiles/nobody-here/follow', { token: fan.token }),
      404,
      'profile',
      'not found',
    );
  });

  it('answers 401 for a validly signed token of a user that does not exist', async () => {
    const ghost = await server.app.issueToken('999999999', 0);
    expectError(await api.post(`${profilePath(celeb)}/follow`, { token: ghost }), 401, 'token', 'is invalid');
    const { rows } = await server.db.query('SELECT 1 FROM follows WHERE follower_id = 999999999');
    expect(rows).toEqual([]);
  });
});
