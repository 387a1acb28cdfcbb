import { describe, expect, it } from 'vitest';
import { renderedCases } from './test/objects.js';
import { strictValidateAll } from './test/strict-validate.js';

type Loose = { apiVersion: string; kind: string; spec: Record<string, unknown> };

describe('schema validation of every rendered object', () => {
  const cases = renderedCases();
  const rollout = cases[0]!.all.find((o) => o.kind === 'Rollout')! as unknown as Loose;
  const typo = structuredClone(rollout);
  typo.spec.strategy = { canary: { scaleDownDelaySecond: 30 } };
  const wrongType = structuredClone(rollout);
  wrongType.spec.revisionHistoryLimit = 'five';
  const unknownKind = { apiVersion: 'example.com/v1', kind: 'Widget' };
  // One Node 24 process validates everything (see test/strict-validate.ts): the models take seconds to load.
  const seeded = [typo, wrongType, unknownKind];
  const all = [...cases.flatMap((c) => c.all), ...seeded];
  const results = strictValidateAll(all);
  const problemsOf = (start: number, objects: readonly { kind: string; metadata?: { name: string } }[]) =>
    objects.flatMap((o, i) => (results[start + i] ?? []).map((e) => `${o.kind}/${o.metadata?.name}: ${e}`));

  let start = 0;
  const ranges = cases.map((c) => {
    const range = { c, start };
    start += c.all.length;
    return range;
  });

  it.each(ranges.map((r) => [r.c.name, r] as const))(
    '%s: every object matches its Kubernetes 1.33 or CRD schema, with no unknown field',
    (_, { c, start }) => {
      expect(c.all.length).toBeGreaterThan(30);
      expect(problemsOf(start, c.all)).toEqual([]);
    },
  );

  it('rejects a misspelled field, a wrong type and an unknown kind', () => {
    const [typoErrors, wrongTypeErrors, unknownKindErrors] = results.slice(all.length - seeded.length);
    expect(typoErrors).toContain('/spec/strategy/canary/scaleDownDelaySecond: unknown field');
    expect(wrongTypeErrors?.join()).toMatch(/revisionHistoryLimit/);
    expect(unknownKindErrors).toEqual(['no schema for example.com/v1 Widget']);
  });
});
