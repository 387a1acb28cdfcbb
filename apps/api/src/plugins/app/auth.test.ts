import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, testConfig } from '../../../test/helpers.js';
import { client, expectError } from '../../../test/http.js';
import { runMigrations } from '../../db/migrate.js';
import auth, { hashPassword, verifyPassword } from './auth.js';
import errors from './errors.js';

describe('password hashing', () => {
  it('hashes with argon2id at the OWASP baseline and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('correct horse battery staple')).not.toBe(stored);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'Correct horse battery staple')).toBe(false);
  });

  it('says no for an unknown user and for a corrupt stored hash, without throwing', async () => {
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
  });
});

describe('token hooks over HTTP', () => {
  let app: FastifyInstance;
  let api: ReturnType<typeof client>;
  let db: pg.Pool;
  let userId: string;
  const config = testConfig({ JWT_TTL_SECONDS: '600' });

  beforeAll(async () => {
    db = new pg.Pool({ connectionString: await createDatabase('auth'), max: 2 });
    await runMigrations(db);
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO users (username, email, password_hash) VALUES ('tok', 'tok@example.org', 'x') RETURNING id::text AS id",
    );
    userId = rows[0]!.id;
    app = Fastify();
    await app.register(
      fp(
        async (instance) => {
          instance.decorate('config', config);
          instance.decorate('db', db);
        },
        { name: 'config' },
      ),
    );
    await app.register(fp(async () => {}, { name: 'db' }));
    await app.register(errors);
    await app.register(auth);
    app.get('/required', { onRequest: app.requireAuth }, async (request) => ({ auth: request.auth }));
    app.get('/optional', { onRequest: app.optionalAuth }, async (request) => ({ auth: request.auth }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    api = client(`http://127.0.0.1:${address.port}`);
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
  });

  it('issues HS256 tokens with the user id as subject and the configured lifetime', async () => {
    const token = await app.issueToken('42', 3);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256' });
    const claims = decodeJwt(token);
    expect(claims.sub).toBe('42');
    expect(claims.ver).toBe(3);
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('requires a token where required and accepts "Token <jwt>" case-insensitively', async () => {
    const token = await app.issueToken(userId, 0);
    expectError(await api.get('/required'), 401, 'token', 'is missing');
    const ok = await api.get('/required', { headers: { authorization: `token ${token}` } });
    expect(ok.body).toEqual({ auth: { id: userId, token } });
  });

  it('lets anonymous readers through where optional, but never a bad token', async () => {
    expect((await api.get('/optional')).body).toEqual({ auth: null });
    expectError(
      await api.get('/optional', { headers: { authorization: 'Token a.b.c' } }),
      401,
      'token',
      'is invalid',
    );
  });

  it('refuses a token whose subject is not a user id', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .sign(new TextEncoder().encode(config.JWT_SECRET));
    expectError(await api.get('/required', { token }), 401, 'token', 'is invalid');
  });

  it('refuses a token of an older token version, and of a user that is gone', async () => {
    const token = await app.issueToken(userId, 0);
    await db.query('UPDATE users SET token_version = 1 WHERE id = $1', [userId]);
    expectError(await api.get('/required', { token }), 401, 'token', 'is invalid');
    expectError(await api.get('/optional', { token }), 401, 'token', 'is invalid');
    const current = await app.issueToken(userId, 1);
    expect((await api.get('/required', { token: current })).status).toBe(200);
    await db.query('DELETE FROM users WHERE id = $1', [userId]);
    expectError(await api.get('/required', { token: current }), 401, 'token', 'is invalid');
  });
});
