import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Account } from './fuzz-cases.js';
import { describeAnswer, errorShapeProblem, type FuzzClient } from './fuzz-http.js';
import { fitText, hostileText, repeatTo } from './fuzz-strings.js';

/** What the valid-but-hostile scenarios need: a client, their users and a way to count covered routes. */
export interface ContentContext {
  readonly client: FuzzClient;
  /** Counts a request against the documented operation `method path` (throws if it is not documented). */
  readonly cover: (method: string, path: string) => void;
  readonly writer: Account;
  readonly reader: Account;
  readonly commenter: Account;
  readonly follower: Account;
  /** An article of the writer that the comment scenarios comment on. */
  readonly discussed: string;
  /** Usernames accepted but not addressable in a URL (`.` and `..` are dot segments), as met. */
  readonly unaddressable: string[];
}

/** One generated scenario: writes hostile content, reads it back, throws on anything wrong. */
export interface Scenario {
  readonly what: string;
  readonly run: (context: ContentContext) => Promise<void>;
}

export interface ContentFamily {
  readonly name: string;
  readonly cases: number;
  readonly scenarios: fc.Arbitrary<Scenario>;
}

interface Reply {
  readonly status: number;
  readonly json: unknown;
}

interface Call {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly token?: string;
  readonly body?: unknown;
}

/** Sends one request to a documented route; a 5xx, no answer or a badly shaped error throws. */
async function call(
  context: ContentContext,
  method: string,
  template: string,
  options: Call = {},
): Promise<Reply> {
  context.cover(method, template);
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(options.params?.[name] ?? ''),
  );
  const query = new URLSearchParams(options.query).toString().replaceAll('+', '%20');
  const answer = await context.client.send({
    method,
    path: query ? `${path}?${query}` : path,
    headers: {
      ...(options.token ? { authorization: `Token ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const where = `${method} ${path.length > 80 ? `${path.slice(0, 80)}…` : path}`;
  if (answer.error || answer.status >= 500) throw new Error(`${where} → ${describeAnswer(answer)}`);
  if (answer.status >= 400) {
    const problem = errorShapeProblem(answer);
    if (problem) throw new Error(`${where} → ${answer.status} not in the error shape (${problem})`);
  }
  return {
    status: answer.status,
    json: answer.text === '' ? undefined : (JSON.parse(answer.text) as unknown),
  };
}

function expectStatus(reply: Reply, allowed: readonly number[], step: string): void {
  if (!allowed.includes(reply.status)) {
    throw new Error(
      `${step}: ${reply.status} (expected ${allowed.join(' or ')}) ${JSON.stringify(reply.json).slice(0, 200)}`,
    );
  }
}

/** A 422 that names only `username` (the API's username rules), not a field that should have passed. */
function expectUsernameRefused(reply: Reply, step: string): void {
  const errors = field(reply.json, 'errors');
  const fields = typeof errors === 'object' && errors !== null ? Object.keys(errors) : [];
  if (fields.length !== 1 || fields[0] !== 'username') {
    throw new Error(`${step}: 422 on ${JSON.stringify(fields)} (expected username only)`);
  }
}

/** Throws when `actual` differs from `expected` in any of `expected`'s keys. */
function expectSame(step: string, actual: unknown, expected: Record<string, unknown>): void {
  const record = (typeof actual === 'object' && actual !== null ? actual : {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(record[key], value)) {
      throw new Error(
        `${step}: ${key} read back as ${JSON.stringify(record[key])?.slice(0, 200)}, sent ${JSON.stringify(value)?.slice(0, 200)}`,
      );
    }
  }
}

const field = <K extends string>(json: unknown, key: K) =>
  ((typeof json === 'object' && json !== null ? json : {}) as Record<K, unknown>)[key];

/** The API's documented tag rule (normalizeTags): trimmed, blanks dropped, first of duplicates kept. */
export function normalizedTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

/** The API's documented rule for bio and image: an empty string means none (null). */
const emptyToNull = (value: string | null) => (value === '' ? null : value);

/** `.` and `..` are resolved away as dot segments by URL parsers: such a profile has no URL. */
const addressable = (username: string) => username !== '.' && username !== '..';

const text = (maxLength: number, pieces = 4) =>
  hostileText(pieces).map((value) => fitText(value, { maxLength, notBlank: true }));
const longText = (maxLength: number) =>
  fc
    .tuple(hostileText(6), fc.integer({ min: 1000, max: maxLength }))
    .map(([seed, length]) => fitText(repeatTo(seed, length), { maxLength, notBlank: true }));
const tag = hostileText(2).map((value) => fitText(value, { maxLength: 64 }));
const email = fc
  .tuple(hostileText(2), hostileText(2))
  .map(([local, domain]) =>
    [local, domain]
      .map((part) => fitText(part.replace(/[\s@]/g, ''), { minLength: 1, maxLength: 100 }))
      .join('@'),
  );
const password = hostileText().map((value) =>
  fitText(value, { minLength: 8, maxLength: 256, notBlank: true }),
);

const articleFields = {
  title: text(255),
  description: text(1024),
  body: fc.oneof({ weight: 4, arbitrary: text(100_000, 6) }, { weight: 1, arbitrary: longText(100_000) }),
  tagList: fc.array(tag, { maxLength: 20 }),
};

const articles: ContentFamily = {
  name: 'hostile-articles',
  cases: 30,
  scenarios: fc
    .record({
      input: fc.record(articleFields),
      update: fc.record(articleFields, { requiredKeys: [] }).filter((u) => Object.keys(u).length > 0),
      favorite: fc.boolean(),
      remove: fc.boolean(),
    })
    .map(({ input, update, favorite, remove }) => ({
      what: `article ${JSON.stringify(input.title).slice(0, 60)}`,
      run: async (context) => {
        const { writer, reader } = context;
        const created = await call(context, 'POST', '/api/articles', {
          token: writer.token,
          body: { article: input },
        });
        expectStatus(created, [201], 'create');
        let expected: Record<string, unknown> = {
          title: input.title,
          description: input.description,
          body: input.body,
          tagList: normalizedTags(input.tagList),
        };
        const article = field(created.json, 'article');
        expectSame('create', article, { ...expected, favorited: false, favoritesCount: 0 });
        expectSame('create author', field(article, 'author'), { username: writer.username });
        let slug = String(field(article, 'slug'));
        if (!/^[a-z0-9-]{1,89}$/.test(slug))
          throw new Error(`create: slug ${JSON.stringify(slug)} is not URL-safe`);

        const read = await call(context, 'GET', '/api/articles/{slug}', { params: { slug } });
        expectStatus(read, [200], 'read');
        expectSame('read', field(read.json, 'article'), expected);

        const tags = expected.tagList as string[];
        if (tags.length > 0) {
          const listed = await call(context, 'GET', '/api/articles', {
            query: { tag: tags[tags.length - 1]!, author: writer.username, limit: '1' },
          });
          expectStatus(listed, [200], 'list by tag and author');
          const first = (field(listed.json, 'articles') as unknown[])[0];
          expectSame('list by tag and author', first, { slug, title: input.title, tagList: tags });
          const all = await call(context, 'GET', '/api/tags');
          const known = new Set(field(all.json, 'tags') as string[]);
          const lost = tags.filter((t) => !known.has(t));
          if (lost.length > 0) throw new Error(`tags: ${JSON.stringify(lost)} missing from GET /api/tags`);
        }

        const changed = await call(context, 'PUT', '/api/articles/{slug}', {
          params: { slug },
          token: writer.token,
          body: { article: update },
        });
        expectStatus(changed, [200], 'update');
        expected = {
          ...expected,
          ...update,
          ...(update.tagList === undefined ? {} : { tagList: normalizedTags(update.tagList) }),
        };
        expectSame('update', field(changed.json, 'article'), expected);
        slug = String(field(field(changed.json, 'article'), 'slug'));
        const reread = await call(context, 'GET', '/api/articles/{slug}', {
          params: { slug },
          token: reader.token,
        });
        expectSame('read after update', field(reread.json, 'article'), { ...expected, favorited: false });

        if (favorite) {
          const liked = await call(context, 'POST', '/api/articles/{slug}/favorite', {
            params: { slug },
            token: reader.token,
          });
          expectStatus(liked, [200], 'favorite');
          expectSame('favorite', field(liked.json, 'article'), { slug, favorited: true, favoritesCount: 1 });
          const favorites = await call(context, 'GET', '/api/articles', {
            query: { favorited: reader.username, limit: '1' },
          });
          expectSame('list favorited', (field(favorites.json, 'articles') as unknown[])[0], {
            slug,
            favorited: false,
          });
          const unliked = await call(context, 'DELETE', '/api/articles/{slug}/favorite', {
            params: { slug },
            token: reader.token,
          });
          expectSame('unfavorite', field(unliked.json, 'article'), {
            slug,
            favorited: false,
            favoritesCount: 0,
          });
        }
        if (remove) {
          expectStatus(
            await call(context, 'DELETE', '/api/articles/{slug}', { params: { slug }, token: writer.token }),
            [204],
            'delete',
          );
          expectStatus(
            await call(context, 'GET', '/api/articles/{slug}', { params: { slug } }),
            [404],
            'read after delete',
          );
        }
      },
    })),
};

const comments: ContentFamily = {
  name: 'hostile-comments',
  cases: 25,
  scenarios: fc
    .record({
      body: fc.oneof({ weight: 5, arbitrary: text(10_000, 6) }, { weight: 1, arbitrary: longText(10_000) }),
      // Most are deleted again, so the discussion each scenario reads back stays short.
      keep: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    })
    .map(({ body, keep }) => ({
      what: `comment ${JSON.stringify(body).slice(0, 60)}`,
      run: async (context) => {
        const params = { slug: context.discussed };
        const created = await call(context, 'POST', '/api/articles/{slug}/comments', {
          params,
          token: context.commenter.token,
          body: { comment: { body } },
        });
        expectStatus(created, [201], 'comment');
        const comment = field(created.json, 'comment');
        expectSame('comment', comment, { body });
        expectSame('comment author', field(comment, 'author'), { username: context.commenter.username });
        const id = field(comment, 'id');
        const listed = await call(context, 'GET', '/api/articles/{slug}/comments', { params });
        const found = (field(listed.json, 'comments') as unknown[]).find((c) => field(c, 'id') === id);
        expectSame('read comment', found, { body });
        if (!keep) {
          const removed = await call(context, 'DELETE', '/api/articles/{slug}/comments/{id}', {
            params: { ...params, id: String(id) },
            token: context.commenter.token,
          });
          expectStatus(removed, [204], 'delete comment');
        }
      },
    })),
};

const nullable = (maxLength: number) =>
  fc.oneof({ weight: 4, arbitrary: text(maxLength) }, fc.constant(''), fc.constant(null));

const users: ContentFamily = {
  name: 'hostile-users',
  cases: 15,
  scenarios: fc
    .record({
      user: fc.record({ username: text(64), email, password }),
      changes: fc
        .record(
          { bio: nullable(4096), image: nullable(2048), username: text(64), email, password },
          { requiredKeys: [] },
        )
        .filter((c) => Object.keys(c).length > 0),
      title: text(255),
    })
    .map(({ user, changes, title }) => ({
      what: `user ${JSON.stringify(user.username)}`,
      run: async (context) => {
        const registered = await call(context, 'POST', '/api/users', { body: { user } });
        // Usernames and emails are unique case-insensitively: a generated one may already exist. A name
        // with invisible or bidi characters, outer spaces, or that looks like a taken one is a 422 on
        // username, never on another field.
        expectStatus(registered, [201, 409, 422], 'register');
        if (registered.status === 422) expectUsernameRefused(registered, 'register');
        if (registered.status !== 201) return;
        let token = String(field(field(registered.json, 'user'), 'token'));
        const expected: Record<string, unknown> = {
          // Stored NFKC-normalised.
          username: user.username.normalize('NFKC'),
          email: user.email,
          bio: null,
          image: null,
        };
        expectSame('register', field(registered.json, 'user'), expected);
        expectSame(
          'current user',
          field((await call(context, 'GET', '/api/user', { token })).json, 'user'),
          expected,
        );
        const login = await call(context, 'POST', '/api/users/login', {
          body: { user: { email: user.email, password: user.password } },
        });
        expectStatus(login, [200], 'login');
        expectSame('login', field(login.json, 'user'), expected);

        const updated = await call(context, 'PUT', '/api/user', { token, body: { user: changes } });
        expectStatus(updated, [200, 409, 422], 'update user');
        if (updated.status === 422) expectUsernameRefused(updated, 'update user');
        if (updated.status === 200) {
          const { password: newPassword, ...visible } = changes;
          // A new password revokes the old token: the answer carries the one to use from now on.
          token = String(field(field(updated.json, 'user'), 'token'));
          Object.assign(expected, visible, {
            ...(changes.username === undefined ? {} : { username: changes.username.normalize('NFKC') }),
            ...(changes.bio === undefined ? {} : { bio: emptyToNull(changes.bio) }),
            ...(changes.image === undefined ? {} : { image: emptyToNull(changes.image) }),
          });
          expectSame('update user', field(updated.json, 'user'), expected);
          expectSame(
            'current user after update',
            field((await call(context, 'GET', '/api/user', { token })).json, 'user'),
            expected,
          );
          if (newPassword !== undefined) {
            const relogin = await call(context, 'POST', '/api/users/login', {
              body: { user: { email: expected.email, password: newPassword } },
            });
            expectStatus(relogin, [200], 'login with the new password');
          }
        }

        const username = String(expected.username);
        if (!addressable(username)) {
          context.unaddressable.push(username);
          return;
        }
        const params = { username };
        const profile = await call(context, 'GET', '/api/profiles/{username}', { params });
        expectStatus(profile, [200], 'profile');
        expectSame('profile', field(profile.json, 'profile'), {
          username,
          bio: expected.bio,
          image: expected.image,
          following: false,
        });
        const followed = await call(context, 'POST', '/api/profiles/{username}/follow', {
          params,
          token: context.follower.token,
        });
        expectStatus(followed, [200], 'follow');
        expectSame('follow', field(followed.json, 'profile'), { username, following: true });
        const posted = await call(context, 'POST', '/api/articles', {
          token,
          body: { article: { title, description: title, body: title } },
        });
        expectStatus(posted, [201], 'article of the followed user');
        const feed = await call(context, 'GET', '/api/articles/feed', {
          token: context.follower.token,
          query: { limit: '1' },
        });
        expectSame('feed', (field(feed.json, 'articles') as unknown[])[0], {
          slug: field(field(posted.json, 'article'), 'slug'),
          title,
        });
        const unfollowed = await call(context, 'DELETE', '/api/profiles/{username}/follow', {
          params,
          token: context.follower.token,
        });
        expectSame('unfollow', field(unfollowed.json, 'profile'), { username, following: false });
      },
    })),
};

export const CONTENT_FAMILIES: readonly ContentFamily[] = [articles, comments, users];
