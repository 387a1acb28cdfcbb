import { routes } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contractRoute } from '../contract-route.js';
import { tagsRepository } from './repository.js';

const tags: FastifyPluginAsyncTypebox = async (app) => {
  const repo = tagsRepository(app.db);
  app.route({
    ...contractRoute(routes.getTags),
    handler: async () => ({ tags: await repo.list(app.config.TAGS_LIST_MAX) }),
  });
};

export default tags;
