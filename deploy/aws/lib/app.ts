import { isStageName, STAGE_NAMES, type StageName, stage } from '@conduit/platform';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConduitStage } from './conduit-stage.js';
import { resolveEnvironment } from './environment.js';

/**
 * Adds the requested stages (all by default, or those in the `stages` context, comma-separated) and the
 * cdk-nag AwsSolutions checks, which fail synthesis on any unacknowledged finding.
 */
export function addConduitStages(app: App, only?: readonly StageName[]): Record<string, ConduitStage> {
  const names = only ?? parseStages(app.node.tryGetContext('stages'));
  const stages: Record<string, ConduitStage> = {};
  for (const name of names) {
    const settings = stage(name);
    stages[name] = new ConduitStage(app, name, {
      settings,
      environment: resolveEnvironment(app.node, settings),
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stages;
}

function parseStages(raw: unknown): readonly StageName[] {
  if (raw === undefined) return STAGE_NAMES;
  const names = String(raw)
    .split(',')
    .map((s) => s.trim());
  for (const name of names) {
    if (!isStageName(name))
      throw new Error(`context "stages" lists "${name}"; known stages: ${STAGE_NAMES.join(', ')}`);
  }
  return names as StageName[];
}
