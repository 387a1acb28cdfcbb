import {
  type Article,
  type ArticleListItem,
  DEFAULT_PAGE_SIZE,
  feedQuery,
  listArticlesQuery,
  routes,
} from '@conduit/contracts';
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

export function toArticle(row: ArticleRow): Article {
  const { tagList, ...item } = toListItem(row);
  return { ...item, body: row.body ?? '', tagList };
}

const articles: FastifyPluginAsyncTypebox = async (app) => {
  const repo = articlesRepository(app.db);
  const { config, rateLimits } = app;
  const window = config.WRITE_RATE_LIMIT_WINDOW_MS;
  const articleLimit = { max: config.ARTICLE_RATE_LIMIT_MAX, windowMs: window };
  const tagLimit = { max: config.TAG_RATE_LIMIT_MAX, windowMs: window };

  /** Takes the tags this write would create from the user's budget (tags in use already are free). */
  const spendNewTags = async (userId: string, tags: readonly string[]) => {
    const fresh = await repo.countNewTags(tags);
    await rateLimits.consume(
      `write:tag:${userId}`,
      tagLimit,
      { field: 'tagList', message: 'too many new tags' },
      fresh,
    );
  };

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

  // The contract's page-size bound is the default; PAGE_SIZE_MAX decides what this deployment accepts.
  const listRoute = contractRoute(routes.listArticles);
  const feedRoute = contractRoute(routes.getFeed);
  app.route({
    ...listRoute,
    schema: { ...listRoute.schema, querystring: listArticlesQuery(app.config.PAGE_SIZE_MAX) },
    onRequest: app.optionalAuth,
    handler: async (request) => {
      const { tag, author, favorited } = request.query;
      return list({ tag, author, favorited }, request.query, request.auth?.id ?? null);
    },
  });

  app.route({
    ...feedRoute,
    schema: { ...feedRoute.schema, querystring: feedQuery(app.config.PAGE_SIZE_MAX) },
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
      const tags = normalizeTags(tagList);
      const articleKey = `write:article:${reader}`;
      await rateLimits.consume(articleKey, articleLimit, { field: 'article', message: 'too many articles' });
      // An article refused for its tags was not written: it gives its place in the budget back.
      await spendNewTags(reader, tags).catch(async (error: unknown) => {
        await rateLimits.refund(articleKey);
        throw error;
      });
      const slug = await referencing(repo.create(reader, { title, description, body, tagList: tags }), {
        articles_author_id_fkey: unknownTokenUser,
      });
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
      const tags = tagList === undefined ? undefined : normalizeTags(tagList);
      if (tags) await spendNewTags(reader, tags);
      const slug = await repo.update(article, {
        ...changes,
        ...(tags === undefined ? {} : { tagList: tags }),
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
