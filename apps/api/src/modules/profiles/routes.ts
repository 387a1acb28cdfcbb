import { routes } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../plugins/app/errors.js';
import { contractRoute } from '../contract-route.js';
import { referencing, toProfile, unknownTokenUser } from '../shared.js';
import { profilesRepository } from './repository.js';

const profiles: FastifyPluginAsyncTypebox = async (app) => {
  const repo = profilesRepository(app.db);

  const existing = async (username: string, readerId: string | null) => {
    const profile = await repo.find(username, readerId);
    if (!profile) throw notFound('profile');
    return profile;
  };

  app.route({
    ...contractRoute(routes.getProfile),
    onRequest: app.optionalAuth,
    handler: async (request) => {
      const profile = await existing(request.params.username, request.auth?.id ?? null);
      return { profile: toProfile(profile) };
    },
  });

  app.route({
    ...contractRoute(routes.followUser),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      const profile = await existing(request.params.username, reader);
      await referencing(repo.follow(reader, profile.id), {
        follows_follower_id_fkey: unknownTokenUser,
        follows_followee_id_fkey: () => notFound('profile'),
      });
      return { profile: toProfile({ ...profile, following: true }) };
    },
  });

  app.route({
    ...contractRoute(routes.unfollowUser),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      const profile = await existing(request.params.username, reader);
      await repo.unfollow(reader, profile.id);
      return { profile: toProfile({ ...profile, following: false }) };
    },
  });
};

export default profiles;
