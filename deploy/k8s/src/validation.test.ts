import { describe, expect, it } from 'vitest';
import { renderedCases } from './test/objects.js';
import { strictValidate } from './test/strict-validate.js';

describe('schema validation of every rendered object', () => {
  const cases = renderedCases();

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: every object matches its Kubernetes 1.33 or CRD schema, with no unknown field',
    (_, c) => {
      expect(c.all.length).toBeGreaterThan(30);
      const problems = c.all.flatMap((o) =>
        strictValidate(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`),
      );
      expect(problems).toEqual([]);
    },
  );

  it('rejects a misspelled field, a wrong type and an unknown kind', () => {
    const rollout = cases[0]!.all.find((o) => o.kind === 'Rollout')!;
    const typo = structuredClone(rollout) as unknown as {
      apiVersion: string;
      kind: string;
      spec: Record<string, unknown>;
    };
    typo.spec.strategy = { canary: { scaleDownDelaySecond: 30 } };
    expect(strictValidate(typo)).toContain('/spec/strategy/canary/scaleDownDelaySecond: unknown field');
    const wrongType = structuredClone(rollout) as unknown as {
      apiVersion: string;
      kind: string;
      spec: Record<string, unknown>;
    };
    wrongType.spec.revisionHistoryLimit = 'five';
    expect(strictValidate(wrongType).join()).toMatch(/revisionHistoryLimit/);
    expect(strictValidate({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual([
      'no schema for example.com/v1 Widget',
    ]);
  });
});
