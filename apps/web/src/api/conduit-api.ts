import {
  ENDPOINTS,
  type EndpointName,
  type EndpointParams,
  endpointPath,
} from '@conduit/contracts/endpoints';
import type { Client } from './client.js';
import type {
  LoginUser,
  MultipleArticlesResponse,
  MultipleCommentsResponse,
  NewArticle,
  NewUser,
  ProfileResponse,
  SingleArticleResponse,
  SingleCommentResponse,
  TagsResponse,
  UpdateArticle,
  UpdateUser,
  UserResponse,
} from './types.js';

export interface ArticleQuery {
  author?: string;
  favorited?: string;
  tag?: string;
  limit: number;
  offset: number;
}

/** Builds the article list query; the filter comes first so `?author=x*`-style route matchers see it. */
export function articleQueryString(query: ArticleQuery): string {
  const params = new URLSearchParams();
  if (query.author) params.set('author', query.author);
  if (query.favorited) params.set('favorited', query.favorited);
  if (query.tag) params.set('tag', query.tag);
  params.set('limit', String(query.limit));
  params.set('offset', String(query.offset));
  return params.toString();
}

/** What each endpoint answers on success (its envelope; 204s answer nothing the SPA reads). */
interface Answers extends Record<EndpointName, unknown> {
  login: UserResponse;
  register: UserResponse;
  getCurrentUser: UserResponse;
  updateCurrentUser: UserResponse;
  getProfile: ProfileResponse;
  followUser: ProfileResponse;
  unfollowUser: ProfileResponse;
  getFeed: MultipleArticlesResponse;
  listArticles: MultipleArticlesResponse;
  createArticle: SingleArticleResponse;
  getArticle: SingleArticleResponse;
  updateArticle: SingleArticleResponse;
  deleteArticle: unknown;
  favoriteArticle: SingleArticleResponse;
  unfavoriteArticle: SingleArticleResponse;
  getComments: MultipleCommentsResponse;
  createComment: SingleCommentResponse;
  deleteComment: unknown;
  getTags: TagsResponse;
}

/** Every RealWorld endpoint the SPA uses, unwrapped from its `{ user }`/`{ article }` envelope. */
export function conduitApi(client: Client) {
  // Method and path come from the shared contracts, the same ones the API registers.
  const call = <N extends EndpointName>(name: N, params: EndpointParams<N>, body?: unknown, query?: string) =>
    client.request<Answers[N]>(
      ENDPOINTS[name].method,
      `${endpointPath(name, params)}${query ? `?${query}` : ''}`,
      body,
    );
  return {
    login: async (user: LoginUser) => (await call('login', {}, { user })).user,
    register: async (user: NewUser) => (await call('register', {}, { user })).user,
    currentUser: async () => (await call('getCurrentUser', {})).user,
    updateUser: async (user: UpdateUser) => (await call('updateCurrentUser', {}, { user })).user,

    profile: async (username: string) => (await call('getProfile', { username })).profile,
    follow: async (username: string) => (await call('followUser', { username })).profile,
    unfollow: async (username: string) => (await call('unfollowUser', { username })).profile,

    articles: (query: ArticleQuery) => call('listArticles', {}, undefined, articleQueryString(query)),
    feed: (query: Pick<ArticleQuery, 'limit' | 'offset'>) =>
      call('getFeed', {}, undefined, articleQueryString(query)),
    article: async (slug: string) => (await call('getArticle', { slug })).article,
    createArticle: async (article: NewArticle) => (await call('createArticle', {}, { article })).article,
    updateArticle: async (slug: string, article: UpdateArticle) =>
      (await call('updateArticle', { slug }, { article })).article,
    deleteArticle: (slug: string) => call('deleteArticle', { slug }),
    favorite: async (slug: string) => (await call('favoriteArticle', { slug })).article,
    unfavorite: async (slug: string) => (await call('unfavoriteArticle', { slug })).article,

    comments: async (slug: string) => (await call('getComments', { slug })).comments,
    addComment: async (slug: string, body: string) =>
      (await call('createComment', { slug }, { comment: { body } })).comment,
    deleteComment: (slug: string, id: number) => call('deleteComment', { slug, id }),

    tags: async () => (await call('getTags', {})).tags,
  };
}

export type ConduitApi = ReturnType<typeof conduitApi>;
