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

const enc = encodeURIComponent;

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

/** Every RealWorld endpoint the SPA uses, unwrapped from its `{ user }`/`{ article }` envelope. */
export function conduitApi(client: Client) {
  return {
    login: async (user: LoginUser) =>
      (await client.request<UserResponse>('POST', '/users/login', { user })).user,
    register: async (user: NewUser) => (await client.request<UserResponse>('POST', '/users', { user })).user,
    currentUser: async () => (await client.request<UserResponse>('GET', '/user')).user,
    updateUser: async (user: UpdateUser) =>
      (await client.request<UserResponse>('PUT', '/user', { user })).user,

    profile: async (username: string) =>
      (await client.request<ProfileResponse>('GET', `/profiles/${enc(username)}`)).profile,
    follow: async (username: string) =>
      (await client.request<ProfileResponse>('POST', `/profiles/${enc(username)}/follow`)).profile,
    unfollow: async (username: string) =>
      (await client.request<ProfileResponse>('DELETE', `/profiles/${enc(username)}/follow`)).profile,

    articles: (query: ArticleQuery) =>
      client.request<MultipleArticlesResponse>('GET', `/articles?${articleQueryString(query)}`),
    feed: (query: Pick<ArticleQuery, 'limit' | 'offset'>) =>
      client.request<MultipleArticlesResponse>('GET', `/articles/feed?${articleQueryString(query)}`),
    article: async (slug: string) =>
      (await client.request<SingleArticleResponse>('GET', `/articles/${enc(slug)}`)).article,
    createArticle: async (article: NewArticle) =>
      (await client.request<SingleArticleResponse>('POST', '/articles', { article })).article,
    updateArticle: async (slug: string, article: UpdateArticle) =>
      (await client.request<SingleArticleResponse>('PUT', `/articles/${enc(slug)}`, { article })).article,
    deleteArticle: (slug: string) => client.request<unknown>('DELETE', `/articles/${enc(slug)}`),
    favorite: async (slug: string) =>
      (await client.request<SingleArticleResponse>('POST', `/articles/${enc(slug)}/favorite`)).article,
    unfavorite: async (slug: string) =>
      (await client.request<SingleArticleResponse>('DELETE', `/articles/${enc(slug)}/favorite`)).article,

    comments: async (slug: string) =>
      (await client.request<MultipleCommentsResponse>('GET', `/articles/${enc(slug)}/comments`)).comments,
    addComment: async (slug: string, body: string) =>
      (
        await client.request<SingleCommentResponse>('POST', `/articles/${enc(slug)}/comments`, {
          comment: { body },
        })
      ).comment,
    deleteComment: (slug: string, id: number) =>
      client.request<unknown>('DELETE', `/articles/${enc(slug)}/comments/${id}`),

    tags: async () => (await client.request<TagsResponse>('GET', '/tags')).tags,
  };
}

export type ConduitApi = ReturnType<typeof conduitApi>;
