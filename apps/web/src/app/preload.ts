import { type Article, api, type Comment } from '../api/index.js';

const articles = new Map<string, Promise<Article>>();
const comments = new Map<string, Promise<Comment[]>>();

/** The slug of an article page's path, else null. */
export function articleSlug(pathname: string): string | null {
  const match = /^\/article\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/**
 * On a direct visit to /article/:slug, the data is requested while the page's code is still
 * downloading, instead of after it: one round trip less before the article shows.
 */
export function preloadRoute(pathname: string): void {
  const slug = articleSlug(pathname);
  if (slug === null) return;
  articles.set(slug, api.article(slug));
  comments.set(slug, api.comments(slug));
  // Swallow here: the page that takes the promise reports the failure.
  articles.get(slug)?.catch(() => {});
  comments.get(slug)?.catch(() => {});
}

function take<T>(
  cache: Map<string, Promise<T>>,
  slug: string,
  load: (slug: string) => Promise<T>,
): Promise<T> {
  const preloaded = cache.get(slug);
  cache.delete(slug);
  return preloaded ?? load(slug);
}

export const takeArticle = (slug: string) => take(articles, slug, api.article);
export const takeComments = (slug: string) => take(comments, slug, api.comments);
