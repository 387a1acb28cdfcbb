import { type ApiProcess, startApiProcess, startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboards, panelsOf } from './dashboards.js';
import { API_METRICS, EXPORTER_METRICS, exposedMetricNames, RECORDED_METRICS } from './metrics.js';
import { promqlCheck } from './promql.js';
import { alertRuleGroups, ruleExpressions } from './rules.js';

describe('metric names against a real /metrics scrape of the API', () => {
  let postgres: TestPostgres | undefined;
  let api: ApiProcess | undefined;
  let scraped = new Set<string>();

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
    scraped = exposedMetricNames(await metrics.text());
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await postgres?.stop();
  });

  it('the API exports every metric of its documented contract', () => {
    expect(API_METRICS.filter((name) => !scraped.has(name))).toEqual([]);
  });

  it('every metric in rules and dashboards is an exporter metric, a recording rule or scraped from the API', () => {
    const vocabulary = new Set([
      ...Object.values(EXPORTER_METRICS).flatMap((e) => e.metrics),
      ...RECORDED_METRICS,
      ...scraped,
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
});
