import { extensionRoutes, messages, routes, type User } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hashPassword, verifyPassword } from '../../plugins/app/auth.js';
import { HttpError } from '../../plugins/app/errors.js';
import type { Limit } from '../../plugins/app/rate-limits.js';
import { contractRoute } from '../contract-route.js';
import { emptyToNull } from '../shared.js';
import { TakenError, type UserRow, usersRepository } from './repository.js';
import { checkUsername } from './username.js';

const toUser = (row: UserRow, token: string): { user: User } => ({
  user: { email: row.email, token, username: row.username, bio: row.bio, image: row.image },
});

const taken = (field: string) => new HttpError(409, field, messages.taken);

async function rethrowTaken<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TakenError) throw taken(error.field);
    throw error;
  }
}

const users: FastifyPluginAsyncTypebox = async (app) => {
  const repo = usersRepository(app.db);
  const { config, rateLimits } = app;
  const account: Limit = { max: config.AUTH_ACCOUNT_FAILURE_MAX, windowMs: config.AUTH_ACCOUNT_WINDOW_MS };

  /**
   * Login and registration are the password-guessing and argon2-cost targets. Each client address has a
   * budget of attempts (the onRequest hook), and each account (e-mail) a budget of *failures*: an attempt
   * is counted before the work, so concurrent guesses cannot overrun it, and refunded when it succeeds, so
   * signing in to the same account over and over (test suites, several devices) is never throttled, while
   * guesses spread over many addresses still stop at AUTH_ACCOUNT_FAILURE_MAX per window. The price: more
   * than AUTH_ACCOUNT_FAILURE_MAX sign-ins to one account *at the same moment* (a load test on one user)
   * get 429s although none fails, because attempts in flight count until they succeed.
   */
  /**
   * The username as stored and its skeleton, or a 422 naming the field: invisible and bidi characters,
   * outer spaces, and a name that looks like someone else's (the exact same name stays a 409, below).
   */
  async function acceptableUsername(raw: string, exceptId?: string) {
    const checked = checkUsername(raw);
    if (!checked.ok) throw new HttpError(422, 'username', checked.message);
    const field = await repo.takenField(checked.username, undefined, exceptId);
    if (field) throw taken(field);
    if (await repo.confusable(checked.skeleton, exceptId)) {
      throw new HttpError(422, 'username', 'is too similar to an existing username');
    }
    return checked;
  }

  async function countingFailures<T>(email: string, work: () => Promise<T>): Promise<T> {
    const key = `auth:account:${email.trim().toLowerCase()}`;
    await rateLimits.consume(key, account, {
      field: 'email',
      message: 'too many failed attempts for this account',
    });
    const result = await work();
    await rateLimits.refund(key);
    return result;
  }

  app.route({
    ...contractRoute(routes.register),
    onRequest: app.authClientLimit,
    handler: async (request, reply) => {
      const { email, password } = request.body.user;
      const row = await countingFailures(email, async () => {
        // Checked before hashing so a duplicate costs no argon2 time; the unique indexes still decide races.
        const field = await repo.takenField(request.body.user.username, email);
        if (field) throw taken(field);
        const { username, skeleton } = await acceptableUsername(request.body.user.username);
        return rethrowTaken(
          repo.create({
            username,
            usernameSkeleton: skeleton,
            email,
            passwordHash: await hashPassword(password),
          }),
        );
      });
      return reply.code(201).send(toUser(row, await app.issueToken(row.id, row.tokenVersion)));
    },
  });

  app.route({
    ...contractRoute(routes.login),
    onRequest: app.authClientLimit,
    handler: async (request) => {
      const { email, password } = request.body.user;
      const row = await countingFailures(email, async () => {
        const found = await repo.findByEmail(email);
        if (!(await verifyPassword(found?.passwordHash, password)) || !found) {
          throw new HttpError(401, 'credentials', messages.credentialsInvalid);
        }
        return found;
      });
      return toUser(row, await app.issueToken(row.id, row.tokenVersion));
    },
  });

  app.route({
    ...contractRoute(routes.getCurrentUser),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const auth = request.auth!;
      const row = await repo.findById(auth.id);
      // A valid signature for a user that no longer exists is as good as no token.
      if (!row) throw new HttpError(401, 'token', messages.tokenInvalid);
      return toUser(row, auth.token);
    },
  });

  app.route({
    ...contractRoute(routes.updateCurrentUser),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const auth = request.auth!;
      const { email, password, bio, image } = request.body.user;
      const field = await repo.takenField(request.body.user.username, email, auth.id);
      if (field) throw taken(field);
      const name =
        request.body.user.username === undefined
          ? undefined
          : await acceptableUsername(request.body.user.username, auth.id);
      const row = await rethrowTaken(
        repo.update(auth.id, {
          username: name?.username,
          usernameSkeleton: name?.skeleton,
          email,
          passwordHash: password === undefined ? undefined : await hashPassword(password),
          bio: emptyToNull(bio),
          image: emptyToNull(image),
        }),
      );
      if (!row) throw new HttpError(401, 'token', messages.tokenInvalid);
      // A new password revoked the token this request came with: the answer carries its successor.
      const token = password === undefined ? auth.token : await app.issueToken(row.id, row.tokenVersion);
      return toUser(row, token);
    },
  });

  app.route({
    ...contractRoute(extensionRoutes.logoutEverywhere),
    onRequest: app.requireAuth,
    handler: async (request, reply) => {
      if (!(await repo.revokeTokens(request.auth!.id)))
        throw new HttpError(401, 'token', messages.tokenInvalid);
      return reply.code(204).send(null);
    },
  });
};

export default users;
