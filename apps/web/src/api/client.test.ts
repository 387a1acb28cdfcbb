import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, describeError, errorMessages, NETWORK_ERROR_MESSAGE } from './client.js';
import { articleQueryString } from './conduit-api.js';

// A real HTTP server on loopback answers as the API would, including the ways it can go wrong.
let server: Server;
let base: string;
const seen: { method?: string; authorization?: string; body?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method, authorization: req.headers.authorization, body });
      const send = (status: number, payload: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(payload);
      };
      switch (req.url) {
        case '/api/ok':
          return send(200, JSON.stringify({ user: { username: 'ann' } }));
        case '/api/empty':
          return send(204, '');
        case '/api/unprocessable':
          return send(
            422,
            JSON.stringify({ errors: { email: ['has already been taken'], username: ["can't be blank"] } }),
          );
        case '/api/html-error':
          return send(502, '<html>Bad Gateway</html>');
        case '/api/malformed':
          return send(200, '{"user": ');
        case '/api/public':
          // Like the API's optional authentication: any token it cannot accept is a 401.
          if (req.headers.authorization)
            return send(401, JSON.stringify({ errors: { token: ['is invalid'] } }));
          return send(200, JSON.stringify({ articles: [] }));
        case '/api/slow':
          return setTimeout(() => send(200, '{}'), 2_000);
        default:
          return send(404, JSON.stringify({ errors: { article: ['not found'] } }));
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const client = (token: string | null = null, timeoutMs?: number) =>
  createClient({ baseUrl: base, getToken: () => token, timeoutMs });

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('API client', () => {
  it('sends the token as "Authorization: Token", and JSON bodies', async () => {
    const answer = await client('jwt.value.here').request<{ user: { username: string } }>('POST', '/ok', {
      a: 1,
    });
    expect(answer.user.username).toBe('ann');
    expect(seen.at(-1)).toEqual({ method: 'POST', authorization: 'Token jwt.value.here', body: '{"a":1}' });
    await client().request('GET', '/ok');
    expect(seen.at(-1)?.authorization).toBeUndefined();
  });

  it('reads public content again without a token the API rejects, and reports the token once', async () => {
    const rejected: string[] = [];
    const api = createClient({
      baseUrl: base,
      getToken: () => 'stale',
      onRejectedToken: (t) => rejected.push(t),
    });
    seen.length = 0;
    expect(await api.request('GET', '/public')).toEqual({ articles: [] });
    expect(seen.map((r) => r.authorization)).toEqual(['Token stale', undefined]);
    expect(rejected).toEqual(['stale']);
  });

  it('does not resend a write without its token: the 401 is the answer', async () => {
    const rejected: string[] = [];
    const api = createClient({
      baseUrl: base,
      getToken: () => 'stale',
      onRejectedToken: (t) => rejected.push(t),
    });
    seen.length = 0;
    expect((await failure(api.request('POST', '/public', {}))).status).toBe(401);
    expect(seen).toHaveLength(1);
    expect(rejected).toEqual(['stale']);
  });

  it('treats an empty 2xx (204 on delete) as success', async () => {
    await expect(client().request('DELETE', '/empty')).resolves.toEqual({});
  });

  it('turns the spec error shape into one line per field message', async () => {
    const error = await failure(client().request('POST', '/unprocessable'));
    expect(error.status).toBe(422);
    expect(error.isClientError).toBe(true);
    expect(error.messages).toEqual(['email has already been taken', "username can't be blank"]);
    expect(describeError(error)).toEqual(error.messages);
  });

  it('reports a non-JSON error page by its status, not as a crash', async () => {
    const error = await failure(client().request('GET', '/html-error'));
    expect(error).toMatchObject({ kind: 'http', status: 502, errors: {} });
    expect(error.isClientError).toBe(false);
    expect(describeError(error)).toEqual(['The server answered 502.']);
  });

  it('flags a broken 2xx body as malformed, which is not a rejection of the token', async () => {
    const error = await failure(client().request('GET', '/malformed'));
    expect(error.kind).toBe('malformed');
    expect(error.isClientError).toBe(false);
  });

  it('reports an unreachable server as "Unable to connect"', async () => {
    const closed = await freePort();
    const offline = createClient({ baseUrl: `http://127.0.0.1:${closed}/api`, getToken: () => null });
    const error = await failure(offline.request('GET', '/ok'));
    expect(error.kind).toBe('network');
    expect(describeError(error)).toEqual([NETWORK_ERROR_MESSAGE]);
    expect(NETWORK_ERROR_MESSAGE).toContain('Unable to connect');
  });

  it('gives up on a server that does not answer in time', async () => {
    const error = await failure(client(null, 200).request('GET', '/slow'));
    expect(error.kind).toBe('network');
  });

  it('describes anything else as a generic failure', () => {
    expect(describeError(new TypeError('x'))).toEqual(['Something went wrong.']);
    expect(errorMessages({ body: ['is empty', 'is short'] })).toEqual(['body is empty', 'body is short']);
  });
});

describe('article list query', () => {
  it('puts the filter first, then limit and offset', () => {
    expect(articleQueryString({ author: 'ann b', limit: 10, offset: 20 })).toBe(
      'author=ann+b&limit=10&offset=20',
    );
    expect(articleQueryString({ tag: 'c#', limit: 10, offset: 0 })).toBe('tag=c%23&limit=10&offset=0');
    expect(articleQueryString({ favorited: 'bo', limit: 5, offset: 5 })).toBe(
      'favorited=bo&limit=5&offset=5',
    );
  });
});
