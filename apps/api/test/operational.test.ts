import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.js';

describe('operational endpoints', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      APP_VERSION: '1.2.3',
      GIT_SHA: 'abc1234',
      BUILD_TIME: '2026-11-23T00:00:00Z',
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('GET /healthz answers without touching dependencies', async () => {
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when the database is reachable and migrated', async () => {
    const response = await fetch(`${api.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('GET /readyz is 503 while draining', async () => {
    api.app.lifecycle.draining = true;
    try {
      const response = await fetch(`${api.url}/readyz`);
      expect(response.status).toBe(503);
      expect(response.headers.get('connection')).toBe('close');
      expect(await response.json()).toEqual({ status: 'draining' });
    } finally {
      api.app.lifecycle.draining = false;
    }
  });

  it('GET /version reports the build', async () => {
    const response = await fetch(`${api.url}/version`);
    expect(await response.json()).toEqual({
      version: '1.2.3',
      gitSha: 'abc1234',
      buildTime: '2026-11-23T00:00:00Z',
    });
  });

  it('GET /metrics counts API requests by route template, not by URL, and skips probes', async () => {
    await fetch(`${api.url}/api/tags`);
    await fetch(`${api.url}/api/articles/no-such-article`);
    await fetch(`${api.url}/healthz`);
    const response = await fetch(`${api.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/tags",status_code="200"\} 1/);
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/articles\/:slug",status_code="404"\} 1/,
    );
    expect(text).not.toMatch(/no-such-article/);
    expect(text).not.toMatch(/route="\/healthz"/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.3",method="GET",route="\/api\/tags"/);
    for (const name of [
      'db_pool_connections_in_use',
      'db_pool_connections_idle',
      'db_pool_requests_waiting',
      'db_pool_connections_max',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`\n${name} `);
    }
    expect(text).toContain('app_info{version="1.2.3",git_sha="abc1234"} 1');
  });

  it('GET /metrics starts the 5xx series of every API route at 0, so rate() sees the first error', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    for (const [method, route] of [
      ['POST', '/api/articles'],
      ['DELETE', '/api/articles/:slug/comments/:id'],
      ['GET', '/api/tags'],
    ]) {
      for (const status of ['500', '503'])
        expect(text).toContain(
          `http_requests_total{method="${method}",route="${route}",status_code="${status}"} 0`,
        );
    }
    expect(text).not.toMatch(/route="\/api\/docs/);
    expect(text).not.toMatch(/method="HEAD"/);
  });

  it('accepts and returns X-Request-Id, and makes one when absent or unsafe', async () => {
    const echoed = await fetch(`${api.url}/api/tags`, { headers: { 'x-request-id': 'req-123.abc' } });
    expect(echoed.headers.get('x-request-id')).toBe('req-123.abc');
    const made = await fetch(`${api.url}/api/tags`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const response = await fetch(`${api.url}/api/tags`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('serves the OpenAPI document and interactive docs under /api/docs', async () => {
    const ui = await fetch(`${api.url}/api/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
    const document = (await (await fetch(`${api.url}/api/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const path of ['/api/users', '/api/users/login', '/api/user', '/api/articles/{slug}', '/api/tags']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    // Response schemas on every route feed the document.
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
      }
    }
  });
});

describe('fault injection', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ FAULT_ERROR_RATE: '1', FAULT_LATENCY_MS: '50' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('fails API routes with a 500 in the error shape and adds latency', async () => {
    const started = performance.now();
    const response = await fetch(`${api.url}/api/tags`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { errors: Record<string, string[]> };
    expect(Object.values(body.errors).flat().join()).not.toMatch(/stack|at /);
  });

  it('leaves probes and metrics alone', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
  });
});
