import { describe, expect, it } from 'vitest';
import { evaluateCondition, measure, type RenderedMetric, renderedTemplate, withArgs } from './analysis.js';

describe('the drill reads AnalysisTemplate conditions as Argo Rollouts does', () => {
  const guard = 'len(result) == 1 && !isNaN(result[0])';

  it('evaluates the conjunctions our templates render', () => {
    expect(evaluateCondition(`${guard} && result[0] >= 0.99`, [0.995])).toBe(true);
    expect(evaluateCondition(`${guard} && result[0] >= 0.99`, [0.98])).toBe(false);
    expect(evaluateCondition(`${guard} && result[0] > 1.5`, [1.5])).toBe(false);
    expect(evaluateCondition(`${guard} && result[0] <= 1.5`, [1.5])).toBe(true);
  });

  it('treats an empty vector, several series and NaN as neither pass nor fail', () => {
    const metric = {
      successCondition: `${guard} && result[0] >= 0.99`,
      failureCondition: `${guard} && result[0] < 0.99`,
    } as RenderedMetric;
    expect(measure(metric, [])).toBe('Inconclusive');
    expect(measure(metric, [Number.NaN])).toBe('Inconclusive');
    expect(measure(metric, [1, 1])).toBe('Inconclusive');
    expect(measure(metric, [0.5])).toBe('Failed');
    expect(measure(metric, [1])).toBe('Successful');
  });

  it('reads an empty vector as a failure where the condition says so', () => {
    const metric = {
      successCondition: `${guard} && result[0] >= 0.99`,
      failureCondition: `len(result) == 0 || (${guard} && result[0] < 0.99)`,
    } as RenderedMetric;
    expect(measure(metric, [])).toBe('Failed');
    expect(measure(metric, [Number.NaN])).toBe('Inconclusive');
    expect(measure(metric, [0.5])).toBe('Failed');
    expect(measure(metric, [1])).toBe('Successful');
  });

  it('refuses a clause it does not understand instead of guessing', () => {
    expect(() => evaluateCondition('result[0] < 1 || true', [0])).toThrow(/unsupported condition clause/);
    expect(() => evaluateCondition('(result[0] < 1 || (result[0] > 2))', [2])).toThrow(/unsupported/);
    expect(() => evaluateCondition('all(result, {# > 1})', [2])).toThrow(/unsupported/);
  });

  it('fills every template argument and refuses a missing one', () => {
    expect(
      withArgs('x{namespace="{{args.namespace}}", pod=~"{{args.rollout}}-{{args.canary-hash}}-.*"}', {
        namespace: 'n',
        rollout: 'api',
        'canary-hash': 'h',
      }),
    ).toBe('x{namespace="n", pod=~"api-h-.*"}');
    expect(() => withArgs('{{args.namespace}}', {})).toThrow(/args\.namespace/);
  });

  it.each(['dev', 'staging', 'prod'])(
    'reads the committed %s templates with every condition understood',
    async (stage) => {
      for (const name of ['api-http', 'api-http-step']) {
        const metrics = await renderedTemplate(stage, name);
        expect(metrics.map((m) => m.name)).toEqual(['success-rate', 'p99-latency', 'p99-latency-vs-stable']);
        for (const m of metrics) {
          expect(() => measure(m, [0.5])).not.toThrow();
          expect(m.intervalSeconds).toBeGreaterThan(0);
        }
      }
    },
  );
});
