import { describe, expect, it } from 'vitest';
import {
  CLOUDWATCH_DATASOURCE,
  dashboardConfigMaps,
  dashboards,
  PROMETHEUS_DATASOURCE,
  panelsOf,
} from './dashboards.js';
import { knownMetrics } from './metrics.js';
import { promqlCheck } from './promql.js';

interface Target {
  datasource?: { type?: string; uid?: string };
  expr?: string;
  namespace?: string;
  metricName?: string;
  refId?: string;
}

const all = dashboards();

describe('dashboards (Grafana Foundation SDK)', () => {
  it('are the five conduit dashboards with unique uids', () => {
    expect(all.map((d) => d.uid)).toEqual([
      'conduit-overview',
      'conduit-canary',
      'conduit-api',
      'conduit-resources',
      'conduit-slo',
    ]);
  });

  it.each(all.map((d) => [d.uid, d] as const))(
    '%s: every panel has a query, a unit and a datasource',
    (_uid, d) => {
      const panels = panelsOf(d);
      expect(panels.length).toBeGreaterThanOrEqual(6);
      for (const panel of panels) {
        const where = `${d.uid} / ${panel.title}`;
        expect(panel.title, where).toBeTruthy();
        expect(panel.fieldConfig?.defaults?.unit, where).toBeTruthy();
        expect([PROMETHEUS_DATASOURCE.uid, CLOUDWATCH_DATASOURCE.uid], where).toContain(
          panel.datasource?.uid,
        );
        const targets = (panel.targets ?? []) as Target[];
        expect(targets.length, where).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size, where).toBe(targets.length);
        for (const target of targets) {
          expect(target.datasource?.uid, where).toBe(panel.datasource?.uid);
          if (target.datasource?.type === 'prometheus') expect(target.expr, where).toBeTruthy();
          else expect(target.namespace && target.metricName, where).toBeTruthy();
        }
      }
    },
  );

  it('every PromQL query parses and uses only exporter, recording-rule or API metrics', () => {
    const known = knownMetrics();
    let checked = 0;
    for (const d of all) {
      for (const panel of panelsOf(d)) {
        for (const target of (panel.targets ?? []) as Target[]) {
          if (target.expr === undefined) continue;
          expect(promqlCheck(target.expr, known).length, `${d.uid} / ${panel.title}`).toBeGreaterThan(0);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('the canary dashboard compares the tracks and the overview shows p50/p95/p99', () => {
    const exprs = (uid: string) =>
      panelsOf(all.find((d) => d.uid === uid) ?? all[0]!).flatMap((p) =>
        (p.targets as Target[]).map((t) => t.expr ?? ''),
      );
    expect(
      exprs('conduit-canary').filter((e) => e.includes('by (track)') || e.includes('le, track')).length,
    ).toBeGreaterThanOrEqual(5);
    for (const q of ['0.5', '0.95', '0.99'])
      expect(exprs('conduit-overview').some((e) => e.startsWith(`histogram_quantile(${q},`))).toBe(true);
  });

  it('render as sidecar ConfigMaps holding the JSON model', () => {
    const maps = dashboardConfigMaps();
    expect(maps).toHaveLength(5);
    for (const map of maps) {
      expect(map.labels.grafana_dashboard).toBe('1');
      const [file, json] = Object.entries(map.data)[0] ?? [];
      expect(file).toBe(`${map.name.replace(/-dashboard$/, '')}.json`);
      expect(JSON.parse(json ?? '{}').uid).toBe(map.name.replace(/-dashboard$/, ''));
    }
  });
});
