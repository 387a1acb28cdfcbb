import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackId, SynthesizedStage } from '@conduit/aws';
import { DIST_DIR, type K8sObject, type RenderSettings, renderStage, scenarioSettings } from '@conduit/k8s';

export type { K8sObject };

import { SCENARIOS, type Scenario, STAGE_NAMES, type Stage, scenarioStage } from '@conduit/platform';
import { inject } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root: workflows and the web tier's nginx.conf are read from where they are committed. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WORKFLOWS_DIR = join(REPO_ROOT, '.github', 'workflows');
/** The production nginx config, as the web image copies it. */
export const NGINX_CONF = join(REPO_ROOT, 'apps', 'web', 'nginx.conf');

/** The rendered directories of a stage; each is what one Argo CD Application syncs. */
export const MANIFEST_DIRS = ['bootstrap', 'apps', 'platform', 'conduit'] as const;
export type ManifestDir = (typeof MANIFEST_DIRS)[number];

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; Description?: string }>;
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
}

/** What the project produces for one scenario of the platform model: a real stage or an option combination. */
export interface ScenarioArtifacts {
  readonly scenario: Scenario;
  /** The stage model the scenario describes (a real stage's own, or with its option overrides). */
  readonly stage: Stage;
  readonly render: RenderSettings;
  /** `cdk synth` output: the CloudFormation template of each stack of the stage. */
  readonly templates: Partial<Record<StackId, CfnTemplate>>;
  readonly stackNames: Partial<Record<StackId, string>>;
  /**
   * The manifests Argo CD syncs: for a real stage the committed `deploy/k8s/dist/<stage>/` files, for an
   * option combination (never committed) what `npm run synth -w @conduit/k8s` would render for it.
   */
  readonly manifests: Record<ManifestDir, K8sObject[]>;
  readonly manifestSource: 'dist' | 'rendered';
}

export function isRealStage(scenario: Scenario): boolean {
  return (STAGE_NAMES as readonly string[]).includes(scenario.name);
}

/** The committed manifests of a real stage, parsed from `deploy/k8s/dist/<stage>/<dir>/manifests.yaml`. */
export function distManifests(stageName: string): Record<ManifestDir, K8sObject[]> {
  const out = {} as Record<ManifestDir, K8sObject[]>;
  const present = readdirSync(join(DIST_DIR, stageName));
  for (const dir of MANIFEST_DIRS) {
    if (!present.includes(dir)) throw new Error(`deploy/k8s/dist/${stageName} has no ${dir}/ folder`);
    const text = readFileSync(join(DIST_DIR, stageName, dir, 'manifests.yaml'), 'utf8');
    out[dir] = parseAllDocuments(text)
      .map((doc) => doc.toJSON() as K8sObject | null)
      .filter((o): o is K8sObject => o !== null);
  }
  return out;
}

const cache = new Map<string, ScenarioArtifacts>();

export function scenarioArtifacts(scenario: Scenario): ScenarioArtifacts {
  const cached = cache.get(scenario.name);
  if (cached) return cached;
  const synthesized = JSON.parse(
    readFileSync(join(inject('synthDir'), `${scenario.name}.json`), 'utf8'),
  ) as SynthesizedStage;
  const real = isRealStage(scenario);
  const artifacts: ScenarioArtifacts = {
    scenario,
    stage: scenarioStage(scenario),
    render: scenarioSettings(scenario),
    templates: synthesized.templates as Partial<Record<StackId, CfnTemplate>>,
    stackNames: synthesized.stackNames,
    manifests: real ? distManifests(scenario.name) : renderStage(scenarioSettings(scenario)),
    manifestSource: real ? 'dist' : 'rendered',
  };
  cache.set(scenario.name, artifacts);
  return artifacts;
}

/** Every scenario's artifacts, real stages first: what each check of the suite runs over. */
export function allScenarios(): ScenarioArtifacts[] {
  return SCENARIOS.map(scenarioArtifacts);
}

export function allManifests(artifacts: ScenarioArtifacts): K8sObject[] {
  return MANIFEST_DIRS.flatMap((dir) => artifacts.manifests[dir]);
}

export function template(artifacts: ScenarioArtifacts, stack: StackId): CfnTemplate {
  const t = artifacts.templates[stack];
  if (!t) throw new Error(`scenario ${artifacts.scenario.name} has no ${stack} stack`);
  return t;
}

/** The resources of one CloudFormation type in a template, with their logical ids. */
export function resourcesOfType(t: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

export interface Workflow {
  readonly file: string;
  readonly doc: Record<string, unknown> & {
    on?: unknown;
    env?: Record<string, unknown>;
    permissions?: unknown;
    jobs: Record<string, Record<string, unknown>>;
  };
}

/** Every workflow of `.github/workflows/`, parsed. */
export function workflows(): Workflow[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, doc: parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) }));
}
