import { knownMetrics, LATENCY_THRESHOLD_SECONDS, promqlCheck } from '@conduit/observability';
import { describe, expect, it } from 'vitest';
import { apiMetrics, conditions, podMetrics, templateArgs, verdict } from './metrics.js';

describe('analysis metric definitions', () => {
  it.each([...podMetrics, ...apiMetrics].map((m) => [m.name, m] as const))(
    '%s uses only metrics that our exporters and the API expose',
    (_, m) => {
      expect(promqlCheck(m.query(templateArgs), knownMetrics()).length).toBeGreaterThan(0);
    },
  );

  it('NaN is inconclusive; the threshold splits pass and fail; an empty request signal fails', () => {
    const success = apiMetrics.find((m) => m.name === 'success-rate')!;
    expect(verdict(success, [])).toBe('Failed');
    expect(verdict(success, [Number.NaN])).toBe('Inconclusive');
    expect(verdict(success, [0.5, 0.9])).toBe('Inconclusive');
    expect(verdict(success, [0.995])).toBe('Successful');
    expect(verdict(success, [0.98])).toBe('Failed');
    expect(conditions(success)).toEqual({
      successCondition: 'len(result) == 1 && !isNaN(result[0]) && result[0] >= 0.99',
      failureCondition: 'len(result) == 0 || (len(result) == 1 && !isNaN(result[0]) && result[0] < 0.99)',
    });
  });

  it('pod signals keep an empty result inconclusive: unknown pods are no evidence either way', () => {
    const restarts = podMetrics.find((m) => m.name === 'container-restarts')!;
    expect(verdict(restarts, [])).toBe('Inconclusive');
    expect(conditions(restarts).failureCondition).toBe(
      'len(result) == 1 && !isNaN(result[0]) && result[0] > 1',
    );
  });

  it('judges latency against the SLO as well as against stable, so a slow stable cannot hide a slow canary', () => {
    const absolute = apiMetrics.find((m) => m.name === 'p99-latency')!;
    const relative = apiMetrics.find((m) => m.name === 'p99-latency-vs-stable')!;
    // Stable slowed down by a busy node: 0.5 s canary against 0.45 s stable is only 1.1x.
    expect(verdict(relative, [0.5 / 0.45])).toBe('Successful');
    expect(verdict(absolute, [0.5])).toBe('Failed');
    expect(verdict(absolute, [0.25])).toBe('Successful');
    expect(verdict(absolute, [])).toBe('Failed');
    expect(absolute.failWhen.threshold).toBe(LATENCY_THRESHOLD_SECONDS);
  });
});
