import { type Article, type ArticleListItem, DEFAULT_PAGE_SIZE, routes } from '@conduit/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { forbidden, notFound } from '../../plugins/app/errors.js';
import { contractRoute } from '../contract-route.js';
import { referencing, toProfile, unknownTokenUser } from '../shared.js';
import { type ArticleFilter, type ArticleRow, articlesRepository, normalizeTags } from './repository.js';

export function toListItem(row: ArticleRow): ArticleListItem {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    tagList: row.tagList,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    favorited: row.favorited,
    favoritesCount: row.favoritesCount,
    author: toProfile(row),
  };
}

function toArticle(row: ArticleRow): Article {
  const { tagList, ...item } = toListItem(row);
  return { ...item, body: row.body ?? '', tagList };
}

const articles: FastifyPluginAsyncTypebox = async (app) => {
  const repo = articlesRepository(app.db);

  const list = async (
    filter: ArticleFilter,
    query: { limit?: number | undefined; offset?: number | undefined },
    readerId: string | null,
  ) => {
    const page = { limit: query.limit ?? DEFAULT_PAGE_SIZE, offset: query.offset ?? 0 };
    const { rows, count } = await repo.list(filter, page, readerId);
    return { articles: rows.map(toListItem), articlesCount: count };
  };

  const single = async (slug: string, readerId: string | null) => {
    const row = await repo.findBySlug(slug, readerId);
    if (!row) throw notFound('article');
    return { article: toArticle(row) };
  };

  const existing = async (slug: string) => {
    const owner = await repo.findOwner(slug);
    if (!owner) throw notFound('article');
    return owner;
  };

  app.route({
    ...contractRoute(routes.listArticles),
    onRequest: app.optionalAuth,
    handler: async (request) => {
      const { tag, author, favorited } = request.query;
      return list({ tag, author, favorited }, request.query, request.auth?.id ?? null);
    },
  });

  app.route({
    ...contractRoute(routes.getFeed),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      return list({ followedBy: reader }, request.query, reader);
    },
  });

  app.route({
    ...contractRoute(routes.getArticle),
    onRequest: app.optionalAuth,
    handler: async (request) => single(request.params.slug, request.auth?.id ?? null),
  });

  app.route({
    ...contractRoute(routes.createArticle),
    onRequest: app.requireAuth,
    handler: async (request, reply) => {
      const reader = request.auth!.id;
      const { title, description, body, tagList = [] } = request.body.article;
      const slug = await referencing(
        repo.create(reader, { title, description, body, tagList: normalizeTags(tagList) }),
        { articles_author_id_fkey: unknownTokenUser },
      );
      return reply.code(201).send(await single(slug, reader));
    },
  });

  app.route({
    ...contractRoute(routes.updateArticle),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      const article = await existing(request.params.slug);
      if (article.authorId !== reader) throw forbidden('article');
      const { tagList, ...changes } = request.body.article;
      const slug = await repo.update(article, {
        ...changes,
        ...(tagList === undefined ? {} : { tagList: normalizeTags(tagList) }),
      });
      return single(slug, reader);
    },
  });

  app.route({
    ...contractRoute(routes.deleteArticle),
    onRequest: app.requireAuth,
    handler: async (request, reply) => {
      const article = await existing(request.params.slug);
      if (article.authorId !== request.auth!.id) throw forbidden('article');
      await repo.remove(article.id);
      return reply.code(204).send(null);
    },
  });

  app.route({
    ...contractRoute(routes.favoriteArticle),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      const article = await existing(request.params.slug);
      await referencing(repo.favorite(reader, article.id), {
        favorites_user_id_fkey: unknownTokenUser,
        favorites_article_id_fkey: () => notFound('article'),
      });
      return single(request.params.slug, reader);
    },
  });

  app.route({
    ...contractRoute(routes.unfavoriteArticle),
    onRequest: app.requireAuth,
    handler: async (request) => {
      const reader = request.auth!.id;
      const article = await existing(request.params.slug);
      await repo.unfavorite(reader, article.id);
      return single(request.params.slug, reader);
    },
  });
};

export default articles;
