import { type Static, Type } from 'typebox';
import { limits, Profile, requiredText, Timestamp } from './common.js';

const summary = {
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
};
const rest = {
  tagList: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  favorited: Type.Boolean(),
  favoritesCount: Type.Integer(),
  author: Profile,
};

export const Article = Type.Object({ ...summary, body: Type.String(), ...rest });
export type Article = Static<typeof Article>;

/** An article as lists show it: everything but `body`, which lists leave out for speed. */
export const ArticleListItem = Type.Object({ ...summary, ...rest });
export type ArticleListItem = Static<typeof ArticleListItem>;

export const SingleArticleResponse = Type.Object({ article: Article });
export type SingleArticleResponse = Static<typeof SingleArticleResponse>;

export const MultipleArticlesResponse = Type.Object({
  articles: Type.Array(ArticleListItem),
  articlesCount: Type.Integer(),
});
export type MultipleArticlesResponse = Static<typeof MultipleArticlesResponse>;

const TagList = Type.Array(Type.String({ maxLength: limits.tag }), { maxItems: limits.tags });

export const NewArticle = Type.Object({
  title: requiredText(limits.title),
  description: requiredText(limits.description),
  body: requiredText(limits.articleBody),
  tagList: Type.Optional(TagList),
});
export type NewArticle = Static<typeof NewArticle>;
export const NewArticleRequest = Type.Object({ article: NewArticle });
export type NewArticleRequest = Static<typeof NewArticleRequest>;

export const UpdateArticle = Type.Object({
  title: Type.Optional(requiredText(limits.title)),
  description: Type.Optional(requiredText(limits.description)),
  body: Type.Optional(requiredText(limits.articleBody)),
  tagList: Type.Optional(TagList),
});
export type UpdateArticle = Static<typeof UpdateArticle>;
export const UpdateArticleRequest = Type.Object({ article: UpdateArticle });
export type UpdateArticleRequest = Static<typeof UpdateArticleRequest>;

export const SlugParams = Type.Object({ slug: Type.String() });
export type SlugParams = Static<typeof SlugParams>;

export const DEFAULT_PAGE_SIZE = 20;
/** The largest page the API accepts by default (its PAGE_SIZE_MAX setting can lower or raise it). */
export const MAX_PAGE_SIZE = 100;

// Offsets stay numbers PostgreSQL's bigint accepts; page sizes are bounded so one request stays cheap.
const page = (maxPageSize: number) => ({
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: maxPageSize,
      description: `Page size (default ${DEFAULT_PAGE_SIZE}, at most ${maxPageSize})`,
    }),
  ),
  offset: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Articles to skip (default 0)',
    }),
  ),
});

/** The feed's query for a given largest page size. */
export const feedQuery = (maxPageSize: number) => Type.Object(page(maxPageSize));
export const FeedQuery = feedQuery(MAX_PAGE_SIZE);
export type FeedQuery = Static<typeof FeedQuery>;

/** The article list's query for a given largest page size. */
export const listArticlesQuery = (maxPageSize: number) =>
  Type.Object({
    tag: Type.Optional(Type.String({ description: 'Only articles with this tag' })),
    author: Type.Optional(Type.String({ description: 'Only articles by this username' })),
    favorited: Type.Optional(Type.String({ description: 'Only articles favorited by this username' })),
    ...page(maxPageSize),
  });
export const ListArticlesQuery = listArticlesQuery(MAX_PAGE_SIZE);
export type ListArticlesQuery = Static<typeof ListArticlesQuery>;
