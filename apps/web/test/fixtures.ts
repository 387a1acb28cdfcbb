import type { Article, ArticleListItem, Comment, Profile, User } from '../src/api/index.js';

// Data in the API's shapes (the contracts' types); every test states the fields its assertions read.
const CREATED = '2024-03-05T10:00:00.000Z';

export function profile(username: string, fields: Partial<Profile> = {}): Profile {
  return { username, bio: null, image: null, following: false, ...fields };
}

export function user(username: string, fields: Partial<User> = {}): User {
  return {
    username,
    email: `${username}@example.com`,
    token: `${username}.jwt.token`,
    bio: null,
    image: null,
    ...fields,
  };
}

export function article(slug: string, fields: Partial<Article> = {}): Article {
  return {
    slug,
    title: `Title of ${slug}`,
    description: `About ${slug}`,
    body: `Body of ${slug}`,
    tagList: [],
    createdAt: CREATED,
    updatedAt: CREATED,
    favorited: false,
    favoritesCount: 0,
    author: profile('jake'),
    ...fields,
  };
}

/** An article as the lists carry it: everything but the body. */
export function listItem(slug: string, fields: Partial<ArticleListItem> = {}): ArticleListItem {
  const { body: _body, ...item } = article(slug);
  return { ...item, ...fields };
}

export function comment(id: number, body: string, author: Profile): Comment {
  return { id, body, author, createdAt: CREATED, updatedAt: CREATED };
}
