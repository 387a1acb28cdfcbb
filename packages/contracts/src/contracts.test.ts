import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  Article,
  ArticleListItem,
  Comment,
  ErrorResponse,
  ListArticlesQuery,
  limits,
  NewArticleRequest,
  NewUserRequest,
  routes,
  UpdateUserRequest,
  User,
} from './index.js';

const author = { username: 'jake', bio: null, image: 'https://example.org/jake.png', following: false };
const article = {
  slug: 'how-to-train-your-dragon',
  title: 'How to train your dragon',
  description: 'Ever wonder how?',
  body: 'It takes a Jacobian',
  tagList: ['dragons', 'training'],
  createdAt: '2016-02-18T03:22:56.637Z',
  updatedAt: '2016-02-18T03:48:35.824Z',
  favorited: false,
  favoritesCount: 0,
  author,
};

describe('response schemas', () => {
  it('accept the spec shapes, with null bio and image', () => {
    expect(Value.Check(User, { email: 'j@x.io', token: 't', username: 'jake', bio: null, image: null })).toBe(
      true,
    );
    expect(Value.Check(Article, article)).toBe(true);
    expect(
      Value.Check(Comment, {
        id: 1,
        createdAt: article.createdAt,
        updatedAt: article.updatedAt,
        body: 'b',
        author,
      }),
    ).toBe(true);
    expect(Value.Check(ErrorResponse, { errors: { body: ["can't be blank"] } })).toBe(true);
  });

  it('list items have no body and single articles require one', () => {
    expect(Object.keys(ArticleListItem.properties)).not.toContain('body');
    const { body: _body, ...item } = article;
    expect(Value.Check(ArticleListItem, item)).toBe(true);
    expect(Value.Check(Article, item)).toBe(false);
  });

  it('reject a missing following flag and a non-integer favoritesCount', () => {
    const { following: _following, ...noFlag } = author;
    expect(Value.Check(Article, { ...article, author: noFlag })).toBe(false);
    expect(Value.Check(Article, { ...article, favoritesCount: 1.5 })).toBe(false);
  });
});

describe('request schemas', () => {
  const keywords = (schema: TSchema, value: unknown) =>
    [...Value.Errors(schema, value)].map((error) => `${error.instancePath}:${error.keyword}`);

  it('treat empty and white-space-only required text as blank', () => {
    expect(
      keywords(NewUserRequest, { user: { username: '  ', email: 'a@b.c', password: 'long enough' } }),
    ).toEqual(['/user/username:pattern']);
    expect(keywords(NewArticleRequest, { article: { title: '', description: 'd', body: 'b' } })).toEqual([
      '/article/title:pattern',
    ]);
  });

  it('refuse the usernames a URL cannot carry (dot segments), keep other dots', () => {
    const user = (username: string) => ({ user: { username, email: 'a@b.c', password: 'long enough' } });
    expect(keywords(NewUserRequest, user('.'))).toEqual(['/user/username:pattern']);
    expect(keywords(NewUserRequest, user('..'))).toEqual(['/user/username:pattern']);
    expect(keywords(UpdateUserRequest, { user: { username: '..' } })).toEqual(['/user/username:pattern']);
    for (const ok of ['...', 'a.b', '.a']) expect(Value.Check(NewUserRequest, user(ok))).toBe(true);
  });

  it('require passwords of at least 8 characters and allow 64', () => {
    const user = (password: string) => ({ user: { username: 'u', email: 'a@b.c', password } });
    expect(keywords(NewUserRequest, user('short7c'))).toEqual(['/user/password:minLength']);
    expect(Value.Check(NewUserRequest, user('bonjour1'))).toBe(true);
    expect(Value.Check(NewUserRequest, user('a'.repeat(64)))).toBe(true);
    expect(keywords(UpdateUserRequest, { user: { password: 'short7c' } })).toEqual([
      '/user/password:minLength',
    ]);
  });

  it('name every missing field', () => {
    const errors = [...Value.Errors(NewUserRequest, { user: {} })];
    expect(errors[0]?.params).toMatchObject({ requiredProperties: ['username', 'email', 'password'] });
  });

  it('bound the size of indexed fields', () => {
    const long = 'x'.repeat(limits.title + 1);
    expect(keywords(NewArticleRequest, { article: { title: long, description: 'd', body: 'b' } })).toEqual([
      '/article/title:maxLength',
    ]);
  });

  it('require at least one field to update a user and allow null bio', () => {
    expect(keywords(UpdateUserRequest, { user: {} })).toEqual(['/user:minProperties']);
    expect(Value.Check(UpdateUserRequest, { user: { bio: null } })).toBe(true);
    expect(keywords(UpdateUserRequest, { user: { email: 'not-an-email' } })).toEqual(['/user/email:pattern']);
  });

  it('keep page sizes positive and offsets non-negative', () => {
    expect(Value.Check(ListArticlesQuery, { limit: 0 })).toBe(false);
    expect(Value.Check(ListArticlesQuery, { offset: -1 })).toBe(false);
    expect(Value.Check(ListArticlesQuery, { limit: 10, offset: 0, tag: 'x' })).toBe(true);
  });
});

describe('route table', () => {
  const all = Object.values(routes);

  it('has the 19 RealWorld endpoints, each method + path once', () => {
    expect(all).toHaveLength(19);
    expect(new Set(all.map((route) => `${route.method} ${route.path}`)).size).toBe(19);
    expect(new Set(all.map((route) => route.operationId)).size).toBe(19);
  });

  it('answers 201 on create, 204 without payload on delete', () => {
    expect(routes.register.status).toBe(201);
    expect(routes.createArticle.status).toBe(201);
    expect(routes.createComment.status).toBe(201);
    for (const route of all.filter((r) => r.status === 204)) {
      expect(route.method).toBe('DELETE');
      expect('response' in route).toBe(false);
    }
  });

  it('lists 401 for every route that takes a token and 404 for every route with a path parameter', () => {
    for (const route of all) {
      if (route.auth !== 'none') expect(route.errors, route.operationId).toContain(401);
      if (route.path.includes(':')) expect(route.errors, route.operationId).toContain(404);
    }
  });
});
