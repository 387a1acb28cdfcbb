import { randomBytes } from 'node:crypto';

// Slugs travel as one URL path segment; Fastify's router refuses parameters longer than 100 characters,
// so a slug stays well below that, suffix included, and ASCII only (non-ASCII would be percent-encoded
// to three times its length).
const MAX_BASE = 80;

/** A readable, URL-safe slug of a title: "Héllo, World!" → "hello-world". */
export function slugify(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_BASE)
    .replace(/^-+|-+$/g, '');
  return base || 'article';
}

/** The slug to try after `base` is taken: random, so concurrent writers do not race for the same one. */
export function uniqueSlug(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}
