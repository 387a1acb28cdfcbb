import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stage } from '@conduit/platform';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConduitStage } from './conduit-stage.js';
import { resolveEnvironment } from './environment.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The context `cdk synth` runs with (cdk.json's), so every in-process synthesis sees what gets deployed. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PACKAGE_DIR, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** The stacks of a stage, by construct id: what `cdk synth` writes to `assembly-<stage>/`. */
export type StackId = 'Network' | 'Data' | 'Cluster' | 'Edge' | 'CiIdentity' | 'BackupCopy';

export interface SynthesizedStage {
  /** CloudFormation template of each stack the stage has, as `cdk synth` writes it. */
  readonly templates: Partial<Record<StackId, Record<string, unknown>>>;
  /** The deployed stack name of each stack (`conduit-<stage>-network`, …). */
  readonly stackNames: Partial<Record<StackId, string>>;
}

/**
 * Synthesizes one stage (a real one, or an option scenario of the platform model) with cdk-nag, exactly as
 * `cdk synth` does, and returns its templates. Throws with the cdk-nag report on an unacknowledged finding.
 */
export function synthesizeStage(settings: Stage, outdir: string): SynthesizedStage {
  const app = new App({ outdir, context: { ...cdkJsonContext(), '@aws-cdk/core:appMode': 'inmemory' } });
  const stage = new ConduitStage(app, settings.name, {
    settings,
    environment: resolveEnvironment(app.node, settings),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const templates: SynthesizedStage['templates'] = {};
  const stackNames: SynthesizedStage['stackNames'] = {};
  const stacks = [stage.network, stage.data, stage.cluster, stage.edge, stage.ciIdentity, stage.backupCopy];
  for (const stack of stacks) {
    if (!stack) continue;
    const id = stack.node.id as StackId;
    templates[id] = assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
    stackNames[id] = stack.stackName;
  }
  return { templates, stackNames };
}
