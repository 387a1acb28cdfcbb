import { type TSchema, Type } from 'typebox';
import {
  FeedQuery,
  ListArticlesQuery,
  MultipleArticlesResponse,
  NewArticleRequest,
  SingleArticleResponse,
  SlugParams,
  UpdateArticleRequest,
} from './articles.js';
import {
  CommentParams,
  MultipleCommentsResponse,
  NewCommentRequest,
  SingleCommentResponse,
} from './comments.js';
import { ENDPOINTS, type HttpMethod } from './endpoints.js';
import { ProfileResponse, UsernameParams } from './profiles.js';
import { TagsResponse } from './tags.js';
import { LoginUserRequest, NewUserRequest, UpdateUserRequest, UserResponse } from './users.js';

export type { HttpMethod };

/**
 * `required`: no valid `Authorization: Token <jwt>` → 401. `optional`: anonymous is fine, a bad token is
 * still a 401. `none`: the header is ignored.
 */
export type AuthMode = 'required' | 'optional' | 'none';

export interface RouteContract {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** Relative to the API base (`/api`), with Fastify-style `:param` segments. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly auth: AuthMode;
  readonly status: 200 | 201 | 204;
  readonly params?: TSchema;
  readonly querystring?: TSchema;
  readonly body?: TSchema;
  /** Schema of the success payload; absent for 204. */
  readonly response?: TSchema;
  /** The error statuses this route can answer with, besides 5xx. */
  readonly errors: readonly number[];
}

/** An empty 204 answer, as a schema so the OpenAPI document shows it. */
export const NoContent = Type.Null({ description: 'No content' });

/** Every route of the RealWorld API: what the API registers and what the web client calls. */
export const routes = {
  login: {
    operationId: 'Login',
    ...ENDPOINTS.login,
    tag: 'User and Authentication',
    summary: 'Existing user login',
    auth: 'none',
    status: 200,
    body: LoginUserRequest,
    response: UserResponse,
    errors: [401, 422],
  },
  register: {
    operationId: 'CreateUser',
    ...ENDPOINTS.register,
    tag: 'User and Authentication',
    summary: 'Register a new user',
    auth: 'none',
    status: 201,
    body: NewUserRequest,
    response: UserResponse,
    errors: [409, 422],
  },
  getCurrentUser: {
    operationId: 'GetCurrentUser',
    ...ENDPOINTS.getCurrentUser,
    tag: 'User and Authentication',
    summary: 'Get current user',
    auth: 'required',
    status: 200,
    response: UserResponse,
    errors: [401],
  },
  updateCurrentUser: {
    operationId: 'UpdateCurrentUser',
    ...ENDPOINTS.updateCurrentUser,
    tag: 'User and Authentication',
    summary: 'Update current user',
    auth: 'required',
    status: 200,
    body: UpdateUserRequest,
    response: UserResponse,
    errors: [401, 409, 422],
  },
  getProfile: {
    operationId: 'GetProfileByUsername',
    ...ENDPOINTS.getProfile,
    tag: 'Profile',
    summary: 'Get a profile',
    auth: 'optional',
    status: 200,
    params: UsernameParams,
    response: ProfileResponse,
    errors: [401, 404, 422],
  },
  followUser: {
    operationId: 'FollowUserByUsername',
    ...ENDPOINTS.followUser,
    tag: 'Profile',
    summary: 'Follow a user',
    auth: 'required',
    status: 200,
    params: UsernameParams,
    response: ProfileResponse,
    errors: [401, 404, 422],
  },
  unfollowUser: {
    operationId: 'UnfollowUserByUsername',
    ...ENDPOINTS.unfollowUser,
    tag: 'Profile',
    summary: 'Unfollow a user',
    auth: 'required',
    status: 200,
    params: UsernameParams,
    response: ProfileResponse,
    errors: [401, 404, 422],
  },
  getFeed: {
    operationId: 'GetArticlesFeed',
    ...ENDPOINTS.getFeed,
    tag: 'Articles',
    summary: 'Get recent articles from users you follow',
    auth: 'required',
    status: 200,
    querystring: FeedQuery,
    response: MultipleArticlesResponse,
    errors: [401, 422],
  },
  listArticles: {
    operationId: 'GetArticles',
    ...ENDPOINTS.listArticles,
    tag: 'Articles',
    summary: 'Get recent articles globally',
    auth: 'optional',
    status: 200,
    querystring: ListArticlesQuery,
    response: MultipleArticlesResponse,
    errors: [401, 422],
  },
  createArticle: {
    operationId: 'CreateArticle',
    ...ENDPOINTS.createArticle,
    tag: 'Articles',
    summary: 'Create an article',
    auth: 'required',
    status: 201,
    body: NewArticleRequest,
    response: SingleArticleResponse,
    errors: [401, 422],
  },
  getArticle: {
    operationId: 'GetArticle',
    ...ENDPOINTS.getArticle,
    tag: 'Articles',
    summary: 'Get an article',
    auth: 'optional',
    status: 200,
    params: SlugParams,
    response: SingleArticleResponse,
    errors: [401, 404, 422],
  },
  updateArticle: {
    operationId: 'UpdateArticle',
    ...ENDPOINTS.updateArticle,
    tag: 'Articles',
    summary: 'Update an article',
    auth: 'required',
    status: 200,
    params: SlugParams,
    body: UpdateArticleRequest,
    response: SingleArticleResponse,
    errors: [401, 403, 404, 422],
  },
  deleteArticle: {
    operationId: 'DeleteArticle',
    ...ENDPOINTS.deleteArticle,
    tag: 'Articles',
    summary: 'Delete an article',
    auth: 'required',
    status: 204,
    params: SlugParams,
    errors: [401, 403, 404, 422],
  },
  getComments: {
    operationId: 'GetArticleComments',
    ...ENDPOINTS.getComments,
    tag: 'Comments',
    summary: 'Get comments for an article',
    auth: 'optional',
    status: 200,
    params: SlugParams,
    response: MultipleCommentsResponse,
    errors: [401, 404, 422],
  },
  createComment: {
    operationId: 'CreateArticleComment',
    ...ENDPOINTS.createComment,
    tag: 'Comments',
    summary: 'Create a comment for an article',
    auth: 'required',
    status: 201,
    params: SlugParams,
    body: NewCommentRequest,
    response: SingleCommentResponse,
    errors: [401, 404, 422],
  },
  deleteComment: {
    operationId: 'DeleteArticleComment',
    ...ENDPOINTS.deleteComment,
    tag: 'Comments',
    summary: 'Delete a comment for an article',
    auth: 'required',
    status: 204,
    params: CommentParams,
    errors: [401, 403, 404, 422],
  },
  favoriteArticle: {
    operationId: 'CreateArticleFavorite',
    ...ENDPOINTS.favoriteArticle,
    tag: 'Favorites',
    summary: 'Favorite an article',
    auth: 'required',
    status: 200,
    params: SlugParams,
    response: SingleArticleResponse,
    errors: [401, 404, 422],
  },
  unfavoriteArticle: {
    operationId: 'DeleteArticleFavorite',
    ...ENDPOINTS.unfavoriteArticle,
    tag: 'Favorites',
    summary: 'Unfavorite an article',
    auth: 'required',
    status: 200,
    params: SlugParams,
    response: SingleArticleResponse,
    errors: [401, 404, 422],
  },
  getTags: {
    operationId: 'GetTags',
    ...ENDPOINTS.getTags,
    tag: 'Tags',
    summary: 'Get tags',
    auth: 'none',
    status: 200,
    response: TagsResponse,
    errors: [],
  },
} as const satisfies Record<string, RouteContract>;

export type RouteName = keyof typeof routes;

/**
 * Routes beyond the RealWorld spec, documented in the README as extensions. Kept apart from `routes` so
 * that table stays exactly the spec's.
 */
export const extensionRoutes = {
  logoutEverywhere: {
    operationId: 'LogoutEverywhere',
    method: 'POST',
    path: '/user/logout-all',
    tag: 'User and Authentication',
    summary: 'Sign out everywhere: revoke every token of the current user, this one included (extension)',
    auth: 'required',
    status: 204,
    errors: [401],
  },
} as const satisfies Record<string, RouteContract>;
