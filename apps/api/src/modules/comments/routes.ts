import { type Comment, routes } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { forbidden, notFound } from '../../plugins/app/errors.js';
import { contractRoute } from '../contract-route.js';
import { referencing, toProfile, unknownTokenUser } from '../shared.js';
import { type CommentRow, commentsRepository } from './repository.js';

export function toComment(row: CommentRow): Comment {
  return {
    id: Number(row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    body: row.body,
    author: toProfile(row),
  };
}

const comments: FastifyPluginAsyncTypebox = async (app) => {
  const repo = commentsRepository(app.db);
  const commentLimit = {
    max: app.config.COMMENT_RATE_LIMIT_MAX,
    windowMs: app.config.WRITE_RATE_LIMIT_WINDOW_MS,
  };

  const articleId = async (slug: string) => {
    const id = await repo.articleId(slug);
    if (id === undefined) throw notFound('article');
    return id;
  };

  app.route({
    ...contractRoute(routes.getComments),
    onRequest: app.optionalAuth,
    handler: async (request) => {
      const rows = await repo.listBySlug(request.params.slug, request.auth?.id ?? null);
      if (rows === undefined) throw notFound('article');
      return { comments: rows.map(toComment) };
    },
  });

  app.route({
    ...contractRoute(routes.createComment),
    onRequest: app.requireAuth,
    handler: async (request, reply) => {
      const id = await articleId(request.params.slug);
      await app.rateLimits.consume(`write:comment:${request.auth!.id}`, commentLimit, {
        field: 'comment',
        message: 'too many comments',
      });
      const row = await referencing(repo.create(id, request.auth!.id, request.body.comment.body), {
        comments_author_id_fkey: unknownTokenUser,
        comments_article_id_fkey: () => notFound('article'),
      });
      return reply.code(201).send({ comment: toComment(row) });
    },
  });

  app.route({
    ...contractRoute(routes.deleteComment),
    onRequest: app.requireAuth,
    handler: async (request, reply) => {
      const id = await articleId(request.params.slug);
      const commentId = request.params.id;
      // Ids beyond bigint cannot exist; answering 404 keeps them away from the database.
      const authorId = Number.isSafeInteger(commentId) ? await repo.findAuthor(id, commentId) : undefined;
      if (authorId === undefined) throw notFound('comment');
      if (authorId !== request.auth!.id) throw forbidden('comment');
      await repo.remove(commentId);
      return reply.code(204).send(null);
    },
  });
};

export default comments;
