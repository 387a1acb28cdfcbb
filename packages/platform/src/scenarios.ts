import { fail } from './check.js';
import { OPTION_VALUES, type OptionField, type StageOptions } from './options.js';
import { STAGE_NAMES, STAGES, type Stage, type StageName, validateStage } from './stages.js';

/**
 * A combination CI renders (deploy/k8s) and synthesizes (deploy/aws): a real stage with some of its options
 * overridden, after Online Boutique's kustomize test combinations. A value no scenario selects is dead.
 */
export interface Scenario {
  /** `<stage>` for a real stage, `<stage>+<value>+…` for a combination. */
  readonly name: string;
  readonly stage: StageName;
  readonly options: Partial<StageOptions>;
}

/** The real stages first (as they are), then one combination per option value no stage runs. */
export const SCENARIOS: readonly Scenario[] = validateScenarios([
  ...STAGE_NAMES.map((stage) => ({ name: stage, stage, options: {} })),
  { name: 'dev+nginx', stage: 'dev', options: { router: 'nginx' } },
  { name: 'prod+irsa', stage: 'prod', options: { workloadIdentity: 'irsa' } },
  { name: 'staging+nginx+irsa', stage: 'staging', options: { router: 'nginx', workloadIdentity: 'irsa' } },
]);

/** The stage a scenario describes, validated like a real one. */
export function scenarioStage(scenario: Scenario): Stage {
  const base = STAGES[scenario.stage];
  return validateStage({ ...base, options: { ...base.options, ...scenario.options } });
}

/** Checks the scenario list: unique names that say what they override, every option value selected. */
export function validateScenarios(scenarios: readonly Scenario[]): readonly Scenario[] {
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name)) fail(`scenario ${s.name}`, 'name', 'is used twice');
    names.add(s.name);
    const expected = [s.stage, ...Object.values(s.options)].join('+');
    if (s.name !== expected)
      fail(`scenario ${s.name}`, 'name', `must be ${expected} (stage, then the overrides)`);
    scenarioStage(s);
  }
  for (const field of Object.keys(OPTION_VALUES) as OptionField[]) {
    for (const value of OPTION_VALUES[field]) {
      if (!scenarios.some((s) => scenarioStage(s).options[field] === value)) {
        fail(
          'scenarios',
          `options.${field}`,
          `value ${value} is selected by no scenario: add one or cut the value`,
        );
      }
    }
  }
  return scenarios;
}
