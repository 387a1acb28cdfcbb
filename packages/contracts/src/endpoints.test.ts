import { describe, expect, it } from 'vitest';
import { ENDPOINTS, endpointPath } from './endpoints.js';
import { routes } from './routes.js';

describe('endpoints', () => {
  it('are exactly the RealWorld routes, with the same method and path', () => {
    expect(Object.keys(ENDPOINTS).sort()).toEqual(Object.keys(routes).sort());
    for (const [name, route] of Object.entries(routes)) {
      expect({ method: route.method, path: route.path }, name).toEqual(
        ENDPOINTS[name as keyof typeof ENDPOINTS],
      );
    }
  });

  it('fill in each :param URL-encoded', () => {
    expect(endpointPath('deleteComment', { slug: 'a b/c', id: 7 })).toBe('/articles/a%20b%2Fc/comments/7');
    expect(endpointPath('getProfile', { username: 'ünï' })).toBe('/profiles/%C3%BCn%C3%AF');
    expect(endpointPath('getTags', {})).toBe('/tags');
  });

  it('refuse a missing param with the endpoint and param named', () => {
    expect(() => endpointPath('getArticle', {} as { slug: string })).toThrow(
      'endpoint getArticle: no value for :slug',
    );
  });
});
