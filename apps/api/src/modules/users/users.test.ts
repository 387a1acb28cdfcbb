import type { UserResponse } from '@conduit/contracts';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, registerUser, type TestUser } from '../../../test/http.js';

let server: TestApi;
let api: Client;
let jake: TestUser;
let ann: TestUser;

beforeAll(async () => {
  server = await startTestApi();
  api = client(server.url);
  [jake, ann] = await Promise.all([registerUser(api, 'jake'), registerUser(api, 'ann')]);
});
afterAll(() => server?.close());

describe('POST /api/users (registration)', () => {
  it('answers 201 with the user, a token and null bio/image', async () => {
    const user = { username: 'Registrant', email: 'Registrant@Example.org', password: 'correct horse' };
    const result = await api.post<UserResponse>('/api/users', { body: { user } });
    expect(result.status).toBe(201);
    expect(result.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(result.body).toEqual({
      user: { email: user.email, token: expect.any(String), username: user.username, bio: null, image: null },
    });
    const [header] = result.body.user.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const stored = await server.db.query('SELECT password_hash FROM users WHERE username = $1', [
      user.username,
    ]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it.each([
    ['username', { email: 'a@b.io', password: 'password123' }],
    ['email', { username: 'nomail', password: 'password123' }],
    ['password', { username: 'nopass', email: 'c@d.io' }],
  ])('answers 422 "%s can\'t be blank" when it is missing', async (field, user) => {
    expectError(await api.post('/api/users', { body: { user } }), 422, field, "can't be blank");
  });

  it('answers 422 for blank fields and a malformed email', async () => {
    const blank = await api.post('/api/users', {
      body: { user: { username: '  ', email: 'x@y.io', password: 'password123' } },
    });
    expectError(blank, 422, 'username', "can't be blank");
    const email = await api.post('/api/users', {
      body: { user: { username: 'e', email: 'nope', password: 'password123' } },
    });
    expectError(email, 422, 'email', 'is invalid');
    expectError(await api.post('/api/users', { body: {} }), 422, 'user', "can't be blank");
  });

  it('answers 422 for passwords under 8 characters and accepts 8', async () => {
    const user = (password: string) => ({
      user: { username: `pw${password.length}`, email: `pw${password.length}@x.io`, password },
    });
    expectError(
      await api.post('/api/users', { body: user('short7c') }),
      422,
      'password',
      'is too short (minimum is 8 characters)',
    );
    expect((await api.post('/api/users', { body: user('bonjour1') })).status).toBe(201);
  });

  it('answers 409 "has already been taken" for a duplicate username or email, whatever the case', async () => {
    const sameName = {
      username: jake.username.toUpperCase(),
      email: 'other@example.org',
      password: 'password123',
    };
    expectError(
      await api.post('/api/users', { body: { user: sameName } }),
      409,
      'username',
      'has already been taken',
    );
    const sameEmail = { username: 'someoneelse', email: jake.email.toUpperCase(), password: 'password123' };
    expectError(
      await api.post('/api/users', { body: { user: sameEmail } }),
      409,
      'email',
      'has already been taken',
    );
  });
});

describe('POST /api/users/login', () => {
  it('returns the user with a working token; the email is case-insensitive', async () => {
    const result = await api.post<UserResponse>('/api/users/login', {
      body: { user: { email: jake.email.toUpperCase(), password: jake.password } },
    });
    expect(result.status).toBe(200);
    expect(result.body.user).toMatchObject({
      username: jake.username,
      email: jake.email,
      bio: null,
      image: null,
    });
    const current = await api.get<UserResponse>('/api/user', { token: result.body.user.token });
    expect(current.body.user.username).toBe(jake.username);
  });

  it('answers 401 with the same message for a wrong password and an unknown email', async () => {
    const wrong = await api.post('/api/users/login', {
      body: { user: { email: jake.email, password: 'wrong' } },
    });
    expectError(wrong, 401, 'credentials', 'invalid');
    const unknown = await api.post('/api/users/login', {
      body: { user: { email: 'nobody@example.org', password: jake.password } },
    });
    expectError(unknown, 401, 'credentials', 'invalid');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('answers 422 when a credential is missing', async () => {
    expectError(
      await api.post('/api/users/login', { body: { user: { email: jake.email } } }),
      422,
      'password',
    );
    expectError(await api.post('/api/users/login', { body: { user: { password: 'x' } } }), 422, 'email');
  });
});

describe('GET /api/user', () => {
  it('returns the current user and echoes the token', async () => {
    const result = await api.get<UserResponse>('/api/user', { token: jake.token });
    expect(result.status).toBe(200);
    expect(result.body.user).toEqual({
      email: jake.email,
      token: jake.token,
      username: jake.username,
      bio: null,
      image: null,
    });
  });

  it('answers 401 "token is missing" without a token', async () => {
    expectError(await api.get('/api/user'), 401, 'token', 'is missing');
  });

  it('accepts the Bearer scheme as well as Token', async () => {
    const result = await api.get<UserResponse>('/api/user', {
      headers: { authorization: `Bearer ${jake.token}` },
    });
    expect(result.status).toBe(200);
    expect(result.body.user.username).toBe(jake.username);
  });

  it('answers 401 "token is invalid" for malformed, foreign, expired and scheme-less tokens', async () => {
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .sign(new TextEncoder().encode('another-secret-another-secret-1234'));
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(server.app.config.JWT_SECRET));
    for (const authorization of [
      'Token not-a-jwt',
      `Token ${foreign}`,
      `Token ${expired}`,
      `Basic ${jake.token}`,
      jake.token,
      `Token ${jake.token.slice(0, -2)}xx`,
    ]) {
      expectError(await api.get('/api/user', { headers: { authorization } }), 401, 'token', 'is invalid');
    }
  });

  it('answers 401 for a validly signed token of a user that does not exist', async () => {
    const token = await server.app.issueToken('999999999', 0);
    expectError(await api.get('/api/user', { token }), 401, 'token', 'is invalid');
  });
});

describe('PUT /api/user', () => {
  it('updates bio and image, and turns empty strings into null', async () => {
    const set = await api.put<UserResponse>('/api/user', {
      token: ann.token,
      body: { user: { bio: 'I like to skateboard', image: 'https://example.org/ann.png' } },
    });
    expect(set.status).toBe(200);
    expect(set.body.user).toMatchObject({
      bio: 'I like to skateboard',
      image: 'https://example.org/ann.png',
    });
    const cleared = await api.put<UserResponse>('/api/user', {
      token: ann.token,
      body: { user: { bio: '', image: null } },
    });
    expect(cleared.body.user).toMatchObject({ username: ann.username, bio: null, image: null });
    const stored = await server.db.query('SELECT bio, image FROM users WHERE username = $1', [ann.username]);
    expect(stored.rows[0]).toEqual({ bio: null, image: null });
  });

  it('changes username, email and password; the old password stops working', async () => {
    const user = await registerUser(api, 'mover');
    const changes = {
      username: `${user.username}x`,
      email: `x${user.email}`,
      password: 'a brand new password',
    };
    const result = await api.put<UserResponse>('/api/user', { token: user.token, body: { user: changes } });
    expect(result.status).toBe(200);
    expect(result.body.user).toMatchObject({ username: changes.username, email: changes.email });
    const login = (password: string) =>
      api.post('/api/users/login', { body: { user: { email: changes.email, password } } });
    expect((await login(changes.password)).status).toBe(200);
    expect((await login(user.password)).status).toBe(401);
  });

  it('answers 409 when the new email or username belongs to someone else, and keeps its own', async () => {
    const email = await api.put('/api/user', { token: ann.token, body: { user: { email: jake.email } } });
    expectError(email, 409, 'email', 'has already been taken');
    const name = await api.put('/api/user', {
      token: ann.token,
      body: { user: { username: jake.username } },
    });
    expectError(name, 409, 'username', 'has already been taken');
    const own = await api.put('/api/user', { token: ann.token, body: { user: { username: ann.username } } });
    expect(own.status).toBe(200);
  });

  it('answers 422 for no field, blank or null identity fields and short passwords; 401 first without a token', async () => {
    expectError(await api.put('/api/user', { token: ann.token, body: { user: {} } }), 422, 'user');
    for (const field of ['email', 'username', 'password']) {
      expectError(
        await api.put('/api/user', { token: ann.token, body: { user: { [field]: '' } } }),
        422,
        field,
        "can't be blank",
      );
      expectError(
        await api.put('/api/user', { token: ann.token, body: { user: { [field]: null } } }),
        422,
        field,
      );
    }
    expectError(
      await api.put('/api/user', { token: ann.token, body: { user: { password: 'short7c' } } }),
      422,
      'password',
    );
    expectError(
      await api.put('/api/user', { token: ann.token, body: { user: { email: ' ' } } }),
      422,
      'email',
      "can't be blank",
    );
    expectError(await api.put('/api/user', { body: { user: {} } }), 401, 'token', 'is missing');
  });
});

describe('rate limit on login and registration', () => {
  it('answers 429 in the error shape once a client exceeds AUTH_RATE_LIMIT_MAX', async () => {
    const limited = await startTestApi({ AUTH_RATE_LIMIT_MAX: '2' });
    try {
      const limitedApi = client(limited.url);
      const attempt = () =>
        limitedApi.post('/api/users/login', {
          body: { user: { email: 'nobody@example.org', password: 'x' } },
        });
      expect((await attempt()).status).toBe(401);
      expect((await attempt()).status).toBe(401);
      expectError(await attempt(), 429, 'request');
      expect((await limitedApi.get('/api/tags')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
