import type { Article, User } from '@conduit/contracts';

let counter = 0;

/** A name no other test (or earlier run on the same database) has used. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`;
}

async function call<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Token ${token}`;
  const response = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Test data made through the real API, so each browser test only drives the UI it is about. */
export function seed(baseUrl: string) {
  return {
    async user(name = unique('user'), extra: { bio?: string; image?: string } = {}) {
      const password = 'correct horse battery';
      const { user } = await call<{ user: User }>(baseUrl, 'POST', '/users', {
        user: { username: name, email: `${name}@example.com`, password },
      });
      if (extra.bio !== undefined || extra.image !== undefined) {
        await call(baseUrl, 'PUT', '/user', { user: extra }, user.token);
      }
      return { ...user, password };
    },
    async article(
      token: string,
      fields: { title?: string; body?: string; description?: string; tagList?: string[] },
    ) {
      const { article } = await call<{ article: Article }>(
        baseUrl,
        'POST',
        '/articles',
        {
          article: {
            title: fields.title ?? unique('Article '),
            description: fields.description ?? 'What this article is about',
            body: fields.body ?? 'Some *markdown* text.',
            tagList: fields.tagList ?? [],
          },
        },
        token,
      );
      return article;
    },
    async getArticle(slug: string): Promise<number> {
      const response = await fetch(`${baseUrl}/api/articles/${slug}`);
      await response.arrayBuffer();
      return response.status;
    },
    follow: (token: string, username: string) =>
      call(baseUrl, 'POST', `/profiles/${username}/follow`, undefined, token),
  };
}
