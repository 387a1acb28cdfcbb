import { describe, expect, it } from 'vitest';
import { OPTION_VALUES } from './options.js';
import { SCENARIOS, scenarioStage, validateScenarios } from './scenarios.js';
import { STAGES, validateStage } from './stages.js';

describe('options and the scenarios CI renders', () => {
  it('selects every value of every option field in at least one scenario', () => {
    for (const [field, values] of Object.entries(OPTION_VALUES)) {
      for (const value of values) {
        const selecting = SCENARIOS.filter(
          (s) => scenarioStage(s).options[field as keyof typeof OPTION_VALUES] === value,
        );
        expect(selecting.length, `${field}: ${value}`).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a value no scenario selects, naming the field and the value', () => {
    const withoutNginx = SCENARIOS.filter((s) => s.options.router !== 'nginx');
    expect(() => validateScenarios(withoutNginx)).toThrow(
      'scenarios: options.router value nginx is selected by no scenario: add one or cut the value',
    );
    const withoutIrsa = SCENARIOS.filter((s) => s.options.workloadIdentity !== 'irsa');
    expect(() => validateScenarios(withoutIrsa)).toThrow(
      'scenarios: options.workloadIdentity value irsa is selected by no scenario',
    );
  });

  it('names a scenario after its stage and overrides, once', () => {
    expect(SCENARIOS.slice(0, 3).map((s) => [s.name, s.options])).toEqual([
      ['dev', {}],
      ['staging', {}],
      ['prod', {}],
    ]);
    expect(() =>
      validateScenarios([...SCENARIOS, { name: 'dev+irsa', stage: 'dev', options: { router: 'nginx' } }]),
    ).toThrow('scenario dev+irsa: name must be dev+nginx (stage, then the overrides)');
    expect(() => validateScenarios([...SCENARIOS, SCENARIOS[0]!])).toThrow(
      'scenario dev: name is used twice',
    );
  });

  it('a scenario is its stage with only the overridden options changed', () => {
    const s = scenarioStage({ name: 'prod+irsa', stage: 'prod', options: { workloadIdentity: 'irsa' } });
    expect(s.options).toEqual({ ...STAGES.prod.options, workloadIdentity: 'irsa' });
    expect({ ...s, options: STAGES.prod.options }).toEqual(STAGES.prod);
  });

  it('refuses an option value the model does not know, naming the field and the allowed values', () => {
    const istio = { ...STAGES.dev, options: { ...STAGES.dev.options, router: 'istio' } };
    expect(() => validateStage(istio as unknown as typeof STAGES.dev)).toThrow(
      'stage dev: options.router (istio) must be one of alb, nginx',
    );
    const plain = { ...STAGES.prod, options: { ...STAGES.prod.options, secretStore: 'plain' } };
    expect(() => validateStage(plain as unknown as typeof STAGES.prod)).toThrow(
      'stage prod: options.secretStore (plain) must be one of external-secrets',
    );
  });
});
