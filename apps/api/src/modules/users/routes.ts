import { messages, routes, type User } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hashPassword, verifyPassword } from '../../plugins/app/auth.js';
import { HttpError } from '../../plugins/app/errors.js';
import { contractRoute } from '../contract-route.js';
import { emptyToNull } from '../shared.js';
import { TakenError, type UserRow, usersRepository } from './repository.js';

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
  // Login and registration are the brute-force and argon2-cost targets: they get their own tight limit.
  const rateLimit = { rateLimit: app.authRateLimit };

  app.route({
    ...contractRoute(routes.register),
    config: rateLimit,
    handler: async (request, reply) => {
      const { username, email, password } = request.body.user;
      // Checked before hashing so a duplicate costs no argon2 time; the unique indexes still decide races.
      const field = await repo.takenField(username, email);
      if (field) throw taken(field);
      const row = await rethrowTaken(
        repo.create({ username, email, passwordHash: await hashPassword(password) }),
      );
      return reply.code(201).send(toUser(row, await app.issueToken(row.id)));
    },
  });

  app.route({
    ...contractRoute(routes.login),
    config: rateLimit,
    handler: async (request) => {
      const { email, password } = request.body.user;
      const row = await repo.findByEmail(email);
      if (!(await verifyPassword(row?.passwordHash, password)) || !row) {
        throw new HttpError(401, 'credentials', messages.credentialsInvalid);
      }
      return toUser(row, await app.issueToken(row.id));
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
      const { username, email, password, bio, image } = request.body.user;
      const field = await repo.takenField(username, email, auth.id);
      if (field) throw taken(field);
      const row = await rethrowTaken(
        repo.update(auth.id, {
          username,
          email,
          passwordHash: password === undefined ? undefined : await hashPassword(password),
          bio: emptyToNull(bio),
          image: emptyToNull(image),
        }),
      );
      if (!row) throw new HttpError(401, 'token', messages.tokenInvalid);
      return toUser(row, auth.token);
    },
  });
};

export default users;
