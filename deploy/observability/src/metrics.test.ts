import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  type ApiProcess,
  freePort,
  requireTool,
  startApiProcess,
  startPostgres,
  type TestPostgres,
} from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/tools.js';
import { dashboards, panelsOf } from './dashboards.js';
import {
  API_METRICS,
  EXPORTER_METRICS,
  exposedMetricNames,
  RECORDED_METRICS,
  workloadQueueMetrics,
} from './metrics.js';
import { writeObserveFiles } from './observe.js';
import { promqlCheck } from './promql.js';
import { alertRuleGroups, isAlertingRule, ruleExpressions } from './rules.js';

describe('metric names against a real /metrics scrape of the API', () => {
  let postgres: TestPostgres | undefined;
  let api: ApiProcess | undefined;
  let scraped = new Set<string>();
  let declared = new Set<string>();

  beforeAll(async () => {
    postgres = await startPostgres();
    api = await startApiProcess({
      env: { DATABASE_URL: await postgres.createDatabase('observability'), SHUTDOWN_DRAIN_DELAY_MS: '0' },
      timeoutMs: 45_000,
    });
    const traffic = await fetch(`${api.url}/api/tags`);
    expect(traffic.status).toBe(200);
    const metrics = await fetch(`${api.url}/metrics`);
    expect(metrics.status).toBe(200);
    const exposition = await metrics.text();
    scraped = exposedMetricNames(exposition);
    declared = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1] as string));
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await postgres?.stop();
  });

  it('the API exports every metric of its documented contract', () => {
    // The GC histogram has no samples until the process has collected garbage once; its declaration is
    // there from the start.
    const lazy = (name: string) => name.startsWith('nodejs_gc_duration_seconds_');
    expect(API_METRICS.filter((name) => !lazy(name) && !scraped.has(name))).toEqual([]);
    expect(declared.has('nodejs_gc_duration_seconds')).toBe(true);
  });

  it('every metric in rules and dashboards is an exporter metric, a recording rule or scraped from the API', () => {
    const vocabulary = new Set([
      ...Object.values(EXPORTER_METRICS).flatMap((e) => e.metrics),
      ...RECORDED_METRICS,
      ...scraped,
      // Checked against the worker's own /metrics in its suite (apps/notifier).
      ...workloadQueueMetrics(),
    ]);
    const exprs = [
      ...ruleExpressions(alertRuleGroups()),
      ...dashboards().flatMap((d) =>
        panelsOf(d).flatMap((p) =>
          (p.targets as { expr?: string }[])
            .filter((t) => t.expr !== undefined)
            .map((t) => ({ where: `${d.uid}/${p.title}`, expr: t.expr ?? '' })),
        ),
      ),
    ];
    const used = new Set<string>();
    const failures: string[] = [];
    for (const { where, expr } of exprs) {
      try {
        for (const name of promqlCheck(expr, vocabulary)) used.add(name);
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect([...used].filter((name) => scraped.has(name)).length).toBeGreaterThanOrEqual(8);
  });

  it('a misspelt API metric is caught by the scrape-based check', () => {
    const vocabulary = new Set([...RECORDED_METRICS, ...scraped]);
    expect(() => promqlCheck('rate(http_request_total[5m])', vocabulary)).toThrow(
      /unknown metric http_request_total/,
    );
  });

  it('npm run observe config: a real Prometheus scrapes the API and loads every rule', async () => {
    if (api === undefined) throw new Error('API did not start');
    const dir = await tempDir('prometheus');
    const port = await freePort();
    const config = writeObserveFiles(dir.dir, { apiPort: api.port, scrapeInterval: '1s' });
    const prometheus = spawn(
      requireTool('prometheus'),
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const query = async <T>(path: string): Promise<T | undefined> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
      if (response?.ok !== true) return undefined;
      return ((await response.json()) as { data: T }).data;
    };
    try {
      await fetch(`${api.url}/api/tags`);
      let up: string | undefined;
      let recorded = false;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (up !== '1' || !recorded)) {
        const result = await query<{ result: { value: [number, string] }[] }>(
          '/api/v1/query?query=' + encodeURIComponent('up{job="api", namespace="conduit", track="stable"}'),
        );
        up = result?.result[0]?.value[1];
        const rate = await query<{ result: unknown[] }>(
          '/api/v1/query?query=' + encodeURIComponent('http_requests_total{namespace="conduit"}'),
        );
        recorded = (rate?.result.length ?? 0) > 0;
        if (up !== '1' || !recorded) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(up).toBe('1');
      expect(recorded).toBe(true);
      const rules = await query<{ groups: { rules: { name: string; health: string }[] }[] }>('/api/v1/rules');
      const loaded = rules?.groups.flatMap((g) => g.rules.map((r) => r.name)) ?? [];
      const expected = alertRuleGroups().flatMap((g) =>
        g.rules.map((r) => (isAlertingRule(r) ? r.alert : r.record)),
      );
      expect(new Set(loaded)).toEqual(new Set(expected));
    } finally {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
      await dir.dispose();
    }
  });
});
