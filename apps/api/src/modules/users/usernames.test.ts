import type { UserResponse } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser } from '../../../test/http.js';
import { backfillUsernameSkeletons } from './backfill.js';

let server: TestApi;
let api: Client;
let counter = 0;

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
});
afterAll(() => server?.close());

const register = (username: string) => {
  counter += 1;
  return api.post<UserResponse>('/api/users', {
    body: { user: { username, email: `u${counter}-${Date.now()}@example.org`, password: 'long enough' } },
  });
};

describe('usernames that cannot impersonate', () => {
  beforeAll(async () => {
    expect((await register('alice')).status).toBe(201);
  });

  it.each([
    ['a trailing space', 'alice '],
    ['a leading space', ' alice'],
    ['a right-to-left override', 'al\u202Eice'],
    ['a bidi isolate', '\u2066alice\u2069'],
    ['a zero-width space', 'al\u200Bice'],
    ['a zero-width joiner', 'ali\u200Dce'],
    ['a soft hyphen', 'ali\u00ADce'],
    ['a Hangul filler', 'alice\u3164x'],
    ['a variation selector after a letter', 'ali\uFE0Fce'],
  ])('refuses %s with a 422 naming the field', async (_what, username) => {
    expectError(await register(username), 422, 'username');
  });

  it.each([
    ['a Cyrillic а', '\u0430lice'],
    ['a capital I for the l', 'aIice'],
    ['a Greek omicron for an o, against another user', 'b\u03BFb'],
  ])('refuses a name confusable with an existing one: %s', async (_what, username) => {
    if (username === 'b\u03BFb') expect((await register('bob')).status).toBe(201);
    expectError(await register(username), 422, 'username', 'is too similar to an existing username');
  });

  it('stores names NFKC-normalised: fullwidth letters are the plain name, so a duplicate is taken', async () => {
    expectError(await register('\uFF41\uFF4C\uFF49\uFF43\uFF45'), 409, 'username', 'has already been taken');
    const carol = await register('\uFF43\uFF41\uFF52\uFF4F\uFF4C');
    expect(carol.status, carol.text).toBe(201);
    expect(carol.body.user.username).toBe('carol');
  });

  it('applies the same rules when a name is changed, but lets a user keep their own', async () => {
    const dan = await registerUser(api, 'dan');
    for (const username of ['\u0430lice', 'al\u200Bice', 'alice ']) {
      expectError(
        await api.put('/api/user', { token: dan.token, body: { user: { username } } }),
        422,
        'username',
      );
    }
    const same = await api.put('/api/user', { token: dan.token, body: { user: { username: dan.username } } });
    expect(same.status, same.text).toBe(200);
  });

  it('keeps names that are merely non-ASCII', async () => {
    for (const username of ['Jürgen', '山田太郎', 'ann b', 'Ωmega', 'Écrivain ✍️ writer']) {
      const result = await register(username);
      expect(result.status, `${username}: ${result.text}`).toBe(201);
    }
  });
});

describe('existing users', () => {
  it('get their skeleton from the backfill; look-alikes and refused names are reported, not renamed', async () => {
    const insert = async (username: string) => {
      const { rows } = await server.db.query<{ id: string }>(
        `INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'x') RETURNING id::text AS id`,
        [username, `${username.length}-${counter++}@legacy.example.org`],
      );
      return rows[0]!.id;
    };
    const erin = await insert('erin');
    const lookalike = await insert('er\u0456n');
    const hidden = await insert('fr\u200Bank');
    const result = await backfillUsernameSkeletons(server.db);
    expect(result.confusable).toEqual([lookalike]);
    expect(result.refused).toEqual([hidden]);
    const { rows } = await server.db.query('SELECT username_skeleton FROM users WHERE id = $1', [erin]);
    expect(rows[0].username_skeleton).toBe('erin');
    expectError(await register('\u0435rin'), 422, 'username', 'is too similar to an existing username');
    expect((await backfillUsernameSkeletons(server.db)).filled).toBe(0);
  });
});
