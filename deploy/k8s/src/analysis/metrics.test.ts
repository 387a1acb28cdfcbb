import { knownMetrics, promqlCheck } from '@conduit/observability';
import { describe, expect, it } from 'vitest';
import { apiMetrics, conditions, podMetrics, templateArgs, verdict } from './metrics.js';

describe('analysis metric definitions', () => {
  it.each([...podMetrics, ...apiMetrics].map((m) => [m.name, m] as const))(
    '%s uses only metrics that our exporters and the API expose',
    (_, m) => {
      expect(promqlCheck(m.query(templateArgs), knownMetrics()).length).toBeGreaterThan(0);
    },
  );

  it('an empty result or NaN is inconclusive; the threshold splits pass and fail', () => {
    const success = apiMetrics.find((m) => m.name === 'success-rate')!;
    expect(verdict(success, [])).toBe('Inconclusive');
    expect(verdict(success, [Number.NaN])).toBe('Inconclusive');
    expect(verdict(success, [0.5, 0.9])).toBe('Inconclusive');
    expect(verdict(success, [0.995])).toBe('Successful');
    expect(verdict(success, [0.98])).toBe('Failed');
    expect(conditions(success)).toEqual({
      successCondition: 'len(result) == 1 && !isNaN(result[0]) && result[0] >= 0.99',
      failureCondition: 'len(result) == 1 && !isNaN(result[0]) && result[0] < 0.99',
    });
  });
});
