import { describe, expect, it } from 'vitest';
import { PromqlError, promqlCheck, promqlMetricNames } from './promql.js';

describe('promqlCheck', () => {
  it('returns the metric names of selectors, ranges, subqueries and __name__ matchers', () => {
    expect(
      promqlMetricNames(
        'sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m])) / on () group_left max_over_time(up[1h:5m]) or {__name__="app_info"}',
      ),
    ).toEqual(['app_info', 'http_requests_total', 'up']);
  });

  it('ignores label names, function names and Grafana or Argo placeholders', () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace", service="{{args.service-name}}"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
  });

  it('throws a PromqlError with the position when the expression does not parse', () => {
    expect(() => promqlMetricNames('sum(rate(x[5m])')).toThrow(PromqlError);
    expect(() => promqlMetricNames('rate(x[5m]) >')).toThrow(/does not parse at offset/);
    expect(() => promqlMetricNames('  ')).toThrow(/empty/);
  });

  it('accepts known metrics and names the unknown ones', () => {
    expect(promqlCheck('up == 0', ['up'])).toEqual(['up']);
    expect(() => promqlCheck('http_request_total + up', new Set(['up']))).toThrow(
      /unknown metric http_request_total in/,
    );
  });
});
