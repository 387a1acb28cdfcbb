import { messages } from '@conduit/contracts';
import { hash, verify } from '@node-rs/argon2';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { jwtVerify, SignJWT } from 'jose';
import { HttpError } from './errors.js';

export interface AuthUser {
  /** users.id (a bigint, kept as the string pg returns). */
  readonly id: string;
  /** The raw JWT, echoed back in user responses. */
  readonly token: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: a valid token is required (401 otherwise). */
    requireAuth: onRequestAsyncHookHandler;
    /** onRequest hook: anonymous is fine, but a token that is sent must be valid. */
    optionalAuth: onRequestAsyncHookHandler;
    /** A token for the user at their current `token_version` (changing it revokes the token). */
    issueToken(userId: string, tokenVersion: number): Promise<string>;
  }
  interface FastifyRequest {
    auth: AuthUser | null;
  }
}

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): memory-hard, ~20 ms per hash on one core.
// `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Login compares against this when the email is unknown, so both paths cost the same and response times
// do not reveal which emails have accounts.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hashPassword('not-a-real-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}

// The spec's scheme is `Token`; `Bearer` is accepted too because common HTTP clients send it.
const SCHEME = /^(?:Token|Bearer) ([\w-]+\.[\w-]+\.[\w-]+)$/i;

const missing = () => new HttpError(401, 'token', messages.tokenMissing);
const invalid = () => new HttpError(401, 'token', messages.tokenInvalid);

/**
 * JWT authentication (`Authorization: Token <jwt>`, HS256, signed with JWT_SECRET). The hooks run at
 * onRequest, before the body is even read, so a request without a valid token is a 401 whatever else is
 * wrong with it (the spec's 401 → 404 → 403 order).
 *
 * A signature is not enough: the token's `ver` claim must equal the user's `token_version`, which a
 * password change or "sign out everywhere" increments, and the user must still exist. That is one
 * primary-key lookup per authenticated request. Tokens issued before versions existed carry no `ver`
 * and count as version 0, so they stay valid until the first revocation.
 */
export default fp(
  async (app) => {
    const key = new TextEncoder().encode(app.config.JWT_SECRET);
    const ttl = app.config.JWT_TTL_SECONDS;

    async function authenticate(request: FastifyRequest): Promise<AuthUser | null> {
      const header = request.headers.authorization;
      if (header === undefined || header === '') return null;
      const token = SCHEME.exec(header.trim())?.[1];
      if (!token) throw invalid();
      let subject: string;
      let claimed: number;
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const version = payload.ver ?? 0;
        if (typeof payload.sub !== 'string' || !/^\d{1,18}$/.test(payload.sub)) throw invalid();
        if (!Number.isSafeInteger(version)) throw invalid();
        subject = payload.sub;
        claimed = version as number;
      } catch {
        throw invalid();
      }
      const { rows } = await app.db.query<{ version: number }>(
        'SELECT token_version AS version FROM users WHERE id = $1',
        [subject],
      );
      if (rows[0]?.version !== claimed) throw invalid();
      return { id: subject, token };
    }

    app.decorateRequest('auth', null);
    app.decorate('issueToken', (userId: string, tokenVersion: number) =>
      new SignJWT({ ver: tokenVersion })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(key),
    );
    app.decorate('requireAuth', async (request: FastifyRequest) => {
      const user = await authenticate(request);
      if (!user) throw missing();
      request.auth = user;
    });
    app.decorate('optionalAuth', async (request: FastifyRequest) => {
      request.auth = await authenticate(request);
    });
  },
  { name: 'auth', dependencies: ['config', 'db'] },
);
