import { isStageName, STAGE_NAMES, type StageName, stage } from '@conduit/platform';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConduitStage } from './conduit-stage.js';
import { resolveEnvironment } from './environment.js';

/**
 * Every context key the app reads (`-c key=value` / cdk.json); a workflow passing another key would be
 * silently ignored, so deploy/system checks each one the workflows pass against this list.
 */
export const CONTEXT_KEYS = {
  /** Comma-separated stages to add (all by default): `-c stages=dev` synthesizes dev's stacks only. */
  stages: 'stages',
} as const;
/** Keys read by pattern: the availability-zone cache of each stage's account and region (environment.ts). */
export const CONTEXT_KEY_PATTERNS: readonly RegExp[] = [
  /^availability-zones:account=\d{12}:region=[a-z0-9-]+$/,
];

/**
 * Adds the requested stages (all by default, or those in the `stages` context, comma-separated) and the
 * cdk-nag AwsSolutions checks, which fail synthesis on any unacknowledged finding.
 */
export function addConduitStages(app: App, only?: readonly StageName[]): Record<string, ConduitStage> {
  const names = only ?? parseStages(app.node.tryGetContext(CONTEXT_KEYS.stages));
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
      throw new Error(
        `context "${CONTEXT_KEYS.stages}" lists "${name}"; known stages: ${STAGE_NAMES.join(', ')}`,
      );
  }
  return names as StageName[];
}
