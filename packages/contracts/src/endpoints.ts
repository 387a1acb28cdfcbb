/** The HTTP methods the API answers. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Method and path of every RealWorld route, without schemas: \`routes\` (routes.ts) spreads these into each
 * contract, and the web client builds its requests from them, so neither retypes a path. Apart from the
 * schemas so the SPA bundles a few hundred bytes instead of TypeBox (\`@conduit/contracts/endpoints\`).
 */
export const ENDPOINTS = {
  login: { method: 'POST', path: '/users/login' },
  register: { method: 'POST', path: '/users' },
  getCurrentUser: { method: 'GET', path: '/user' },
  updateCurrentUser: { method: 'PUT', path: '/user' },
  getProfile: { method: 'GET', path: '/profiles/:username' },
  followUser: { method: 'POST', path: '/profiles/:username/follow' },
  unfollowUser: { method: 'DELETE', path: '/profiles/:username/follow' },
  getFeed: { method: 'GET', path: '/articles/feed' },
  listArticles: { method: 'GET', path: '/articles' },
  createArticle: { method: 'POST', path: '/articles' },
  getArticle: { method: 'GET', path: '/articles/:slug' },
  updateArticle: { method: 'PUT', path: '/articles/:slug' },
  deleteArticle: { method: 'DELETE', path: '/articles/:slug' },
  getComments: { method: 'GET', path: '/articles/:slug/comments' },
  createComment: { method: 'POST', path: '/articles/:slug/comments' },
  deleteComment: { method: 'DELETE', path: '/articles/:slug/comments/:id' },
  favoriteArticle: { method: 'POST', path: '/articles/:slug/favorite' },
  unfavoriteArticle: { method: 'DELETE', path: '/articles/:slug/favorite' },
  getTags: { method: 'GET', path: '/tags' },
} as const satisfies Record<string, { readonly method: HttpMethod; readonly path: string }>;

export type EndpointName = keyof typeof ENDPOINTS;

/** The \`:param\` names in a path. */
type ParamsOf<P extends string> = P extends `${string}:${infer Param}/${infer Rest}`
  ? Param | ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Param}`
    ? Param
    : never;

export type EndpointParams<N extends EndpointName> = Record<
  ParamsOf<(typeof ENDPOINTS)[N]['path']>,
  string | number
>;

/** The path of endpoint \`name\` with its \`:params\` filled in, each one URL-encoded. */
export function endpointPath<N extends EndpointName>(name: N, params: EndpointParams<N>): string {
  return ENDPOINTS[name].path.replace(/:(\w+)/g, (_, param: string) => {
    const value = (params as Record<string, string | number | undefined>)[param];
    if (value === undefined) throw new Error(`endpoint ${name}: no value for :${param}`);
    return encodeURIComponent(String(value));
  });
}
