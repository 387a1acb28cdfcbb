import {
  ENDPOINTS,
  type EndpointName,
  type EndpointParams,
  ErrorResponse,
  endpointPath,
  routes,
} from '@conduit/contracts';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { vi } from 'vitest';

/** What endpoint `N` answers on success, as the contracts (the API's own schemas) define it. */
type Payload<N extends EndpointName> = (typeof routes)[N] extends { response: infer S extends TSchema }
  ? Static<S>
  : undefined;

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The `Authorization` header, as the session sent it. */
  authorization: string | null;
}

interface Handler {
  method: string;
  path: string;
  query: Record<string, string>;
  /** null: the connection fails, as it does when the API is down or the network is gone. */
  status: number | null;
  body: unknown;
}

/**
 * The API as the pages see it: `fetch`, answered from a table of replies. Every reply is checked against
 * the route's schema in @conduit/contracts (success payload, or the spec's error shape with a status the
 * route can answer), so a test cannot feed a page a shape the real API never sends. A request nobody
 * answered fails the test (see page-setup.ts) instead of passing as a silent network error.
 */
export class ApiStub {
  readonly requests: SeenRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly handlers: Handler[] = [];
  private readonly held = new Map<string, Promise<void>>();

  /** Answers `name` at `params` with its success status; `query` narrows it to requests with those values. */
  ok<N extends EndpointName>(
    name: N,
    params: EndpointParams<N>,
    body: Payload<N>,
    query: Record<string, string> = {},
  ): this {
    const route: { status: number; response?: TSchema } = routes[name];
    if (route.response) check(name, route.response, body);
    return this.add(name, params, query, route.status, body);
  }

  /** Answers `name` at `params` with an error status and the spec's `{ errors: { field: [message] } }`. */
  fail<N extends EndpointName>(
    name: N,
    params: EndpointParams<N>,
    status: number,
    errors: Record<string, string[]>,
    query: Record<string, string> = {},
  ): this {
    const route: { errors: readonly number[] } = routes[name];
    if (status < 500 && !route.errors.includes(status))
      throw new Error(`${name} never answers ${status} (its error statuses: ${route.errors.join(', ')})`);
    const body = { errors };
    check(name, ErrorResponse, body);
    return this.add(name, params, query, status, body);
  }

  /** Makes `name` at `params` unreachable: `fetch` rejects, as a browser's does when no answer comes. */
  unreachable<N extends EndpointName>(name: N, params: EndpointParams<N>): this {
    return this.add(name, params, {}, null, undefined);
  }

  /**
   * Holds back the answers to `name` at `params` until the returned function is called, so a test can
   * see what the page shows while it waits.
   */
  hold<N extends EndpointName>(name: N, params: EndpointParams<N>): () => void {
    let release = () => {};
    const key = `${ENDPOINTS[name].method} /api${endpointPath(name, params)}`;
    this.held.set(key, new Promise<void>((done) => (release = done)));
    return release;
  }

  /** The requests made to `name` at `params`. */
  seen<N extends EndpointName>(name: N, params: EndpointParams<N>): SeenRequest[] {
    const path = `/api${endpointPath(name, params)}`;
    return this.requests.filter((r) => r.method === ENDPOINTS[name].method && r.path === path);
  }

  private add<N extends EndpointName>(
    name: N,
    params: EndpointParams<N>,
    query: Record<string, string>,
    status: number | null,
    body: unknown,
  ): this {
    const path = `/api${endpointPath(name, params)}`;
    // Newest first: a test can override a reply that its beforeEach set up.
    this.handlers.unshift({ method: ENDPOINTS[name].method, path, query, status, body });
    return this;
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://localhost');
    const method = init.method ?? 'GET';
    const headers = new Headers(init.headers);
    this.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      authorization: headers.get('authorization'),
    });
    await this.held.get(`${method} ${url.pathname}`);
    const handler = this.handlers.find(
      (h) =>
        h.method === method &&
        h.path === url.pathname &&
        Object.entries(h.query).every(([key, value]) => url.searchParams.get(key) === value),
    );
    if (!handler) {
      this.unexpected.push(`${method} ${url.pathname}${url.search}`);
      throw new TypeError('fetch failed: no reply stubbed');
    }
    if (handler.status === null) throw new TypeError('Failed to fetch');
    return new Response(handler.body === undefined ? null : JSON.stringify(handler.body), {
      status: handler.status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

function check(name: string, schema: TSchema, body: unknown): void {
  if (Value.Check(schema, body)) return;
  const problems = [...Value.Errors(schema, body)].map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new Error(`stubbed reply of ${name} is not what the API answers: ${problems.join('; ')}`);
}

let current: ApiStub | null = null;

/** Replaces `fetch` for this test; page-setup.ts restores it and reports unanswered requests. */
export function stubApi(): ApiStub {
  current = new ApiStub();
  vi.stubGlobal('fetch', current.fetch);
  return current;
}

/** The requests of this test that no reply matched; forgets the stub. */
export function takeUnexpectedRequests(): string[] {
  const unexpected = current?.unexpected ?? [];
  current = null;
  return unexpected;
}
