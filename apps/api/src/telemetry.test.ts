import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../test/database.js';
import { runMigrations } from './db/migrate.js';

const run = promisify(execFile);

interface ExportedSpan {
  name: string;
  traceId: string;
  attributes: Record<string, unknown>;
}

describe('tracing', () => {
  it('exports HTTP, Fastify and pg spans of one trace, with the SQL text but no parameters', async () => {
    const url = await createDatabase('trace');
    const pool = new pg.Pool({ connectionString: url });
    await runMigrations(pool);
    await pool.end();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/trace-probe.ts'], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, JWT_SECRET: 'x'.repeat(32) },
      timeout: 30_000,
    });
    const spans = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as ExportedSpan[];

    const server = spans.find(
      (span) => span.attributes['http.route'] === '/api/articles' && span.name.startsWith('GET'),
    );
    expect(server, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(server?.attributes['http.response.status_code'] ?? server?.attributes['http.status_code']).toBe(
      200,
    );

    const queries = spans.filter(
      (span) => (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql',
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((span) => span.traceId === server?.traceId)).toBe(true);
    const statements = queries.map((span) =>
      String(span.attributes['db.statement'] ?? span.attributes['db.query.text']),
    );
    expect(statements.join('\n')).toMatch(/\$1/);
    expect(statements.join('\n')).not.toContain('nobody');
    expect(JSON.stringify(queries)).not.toContain('nobody');

    expect(spans.some((span) => span.name.includes('fastify') || 'fastify.type' in span.attributes)).toBe(
      true,
    );
    // Probes are not traffic: no span for them.
    expect(
      spans.some(
        (span) => span.attributes['http.target'] === '/healthz' || span.attributes['url.path'] === '/healthz',
      ),
    ).toBe(false);
  });
});
