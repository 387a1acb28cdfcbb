import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WEB_CONTENT_SECURITY_POLICY } from '@conduit/contracts';
import { requireTool } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_CONF, type NginxServer, startNginx } from './nginx-server.js';

const DIST = resolve(import.meta.dirname, '../dist');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP GET: unlike fetch, it leaves Content-Encoding alone so we see exactly what nginx sent. */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

const conf = readFileSync(NGINX_CONF, 'utf8');

describe('nginx.conf (static rules)', () => {
  it('keeps every file nginx writes under /tmp and runs unprivileged on 8080', () => {
    expect(conf).toMatch(/^pid \/tmp\/[^;]+;/m);
    for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(conf).toMatch(new RegExp(`${kind}_temp_path /tmp/`));
    }
    expect(conf).not.toMatch(/^\s*user\s/m);
    expect(conf).toMatch(/listen 8080 /);
    expect(conf).toMatch(/access_log \/dev\/stdout json;/);
  });

  it('passes nginx -t unmodified', () => {
    const nginx = requireTool('nginx');
    const prefix = mkdtempSync(join(tmpdir(), 'conduit-nginx-t-'));
    try {
      symlinkSync(DIST, join(prefix, 'html'));
      const log = join(prefix, 'out.log');
      const fd = openSync(log, 'w');
      try {
        execFileSync(nginx, ['-t', '-p', `${prefix}/`, '-c', NGINX_CONF], { stdio: ['ignore', fd, fd] });
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(log, 'utf8')).toContain('test is successful');
    } catch (error) {
      const output = existsSync(join(prefix, 'out.log')) ? readFileSync(join(prefix, 'out.log'), 'utf8') : '';
      throw new Error(`nginx -t failed: ${output || String(error)}`);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});

describe('the production build served by real nginx', () => {
  let server: NginxServer;
  let entry: string;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error(`no build in ${DIST}: run "npm run build -w @conduit/web"`);
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(entry).toMatch(/^\/assets\/.+\.js$/);
    server = await startNginx({ root: DIST });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('exposes stub_status to the exporter sidecar on loopback', async () => {
    const answer = await get(server.url, '/stub_status');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toMatch(/^Active connections: \d+/);
  });

  it('answers /healthz for probes', async () => {
    const answer = await get(server.url, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('ok\n');
  });

  it('answers /readyz from its own location, not the SPA fallback, and leaves it out of the access log', async () => {
    const answer = await get(server.url, '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.body.toString()).toBe('ready\n');
    await new Promise((done) => setTimeout(done, 100));
    expect(server.accessLog()).not.toContain('"uri":"/readyz"');
  });

  it('serves index.html uncached, with a strict CSP and the security headers', async () => {
    const answer = await get(server.url, '/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    const csp = String(answer.headers['content-security-policy']);
    // The one policy, also sent by the API when it serves the build locally.
    expect(csp).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(answer.headers.server).toBe('nginx');
  });

  it('the app satisfies that CSP: no inline script, style or handler in index.html', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/assets\//);
    expect(html).not.toMatch(/<script\b[^>]*>[^<\s]/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('falls back to index.html for client-side routes', async () => {
    const index = readFileSync(join(DIST, 'index.html'));
    for (const path of ['/article/some-slug', '/profile/alice/favorites', '/tag/react?page=2', '/editor']) {
      const answer = await get(server.url, path);
      expect(answer.status, path).toBe(200);
      expect(answer.body.equals(index), path).toBe(true);
      expect(answer.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable for a year, precompressed when the client accepts gzip', async () => {
    const plain = await get(server.url, entry);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(readFileSync(join(DIST, entry)))).toBe(true);

    const gzipped = await get(server.url, entry, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gzipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gzipped.body.equals(readFileSync(join(DIST, `${entry}.gz`)))).toBe(true);
    expect(gzipped.headers['content-security-policy']).toBeDefined();
  });

  it('precompressed every script and stylesheet of the build worth compressing', () => {
    const assets = readdirSync(join(DIST, 'assets'));
    const worth = (file: string) =>
      /\.(js|css)$/.test(file) && statSync(join(DIST, 'assets', file)).size > 512;
    expect(assets.filter(worth).length).toBeGreaterThan(3);
    for (const name of assets.filter(worth)) {
      expect(assets, name).toContain(`${name}.gz`);
    }
  });

  it('answers 404, never cached, for a missing asset instead of the app shell', async () => {
    const answer = await get(server.url, '/assets/missing-0000.js');
    expect(answer.status).toBe(404);
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('serves the default avatar as SVG', async () => {
    const answer = await get(server.url, '/default-avatar.svg');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(answer.body.toString()).toContain('<svg');
  });

  it('does not serve /api: the load balancer routes it to the API tier', async () => {
    const answer = await get(server.url, '/api/articles');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body.toString())).toHaveProperty('errors');
  });

  it('writes one JSON access log line per request to stdout', async () => {
    await get(server.url, '/profile/logcheck');
    await new Promise((done) => setTimeout(done, 100));
    const lines = server.accessLog().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { uri: string; status: number; method: string });
    const entry = entries.find((item) => item.uri === '/profile/logcheck');
    expect(entry).toMatchObject({ method: 'GET', status: 200 });
    expect(entries.some((item) => item.uri === '/healthz')).toBe(false);
  });
});

describe('readiness without a build', () => {
  it('fails /readyz with 503 while nginx itself stays live, when the site has no index.html', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'conduit-empty-site-'));
    const server = await startNginx({ root: empty });
    try {
      expect((await get(server.url, '/healthz')).status).toBe(200);
      const ready = await get(server.url, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.toString()).toBe('no app shell\n');
    } finally {
      await server.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
