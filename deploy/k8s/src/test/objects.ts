import { SCENARIOS } from '@conduit/platform';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { type K8sObject, type RenderedStage, renderStage } from '../render.js';
import type { RenderSettings } from '../settings.js';
import { scenarioSettings } from '../stages/index.js';

export interface RenderedCase {
  readonly name: string;
  readonly settings: RenderSettings;
  readonly dirs: RenderedStage;
  readonly all: K8sObject[];
}

/** Every scenario of the platform model: the three stages, then their option combinations. */
export function renderedCases(): RenderedCase[] {
  return SCENARIOS.map((scenario) => {
    const settings = scenarioSettings(scenario);
    const dirs = renderStage(settings);
    return { name: scenario.name, settings, dirs, all: Object.values(dirs).flat() };
  });
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function one(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}

/** Every pod template in the objects, with where it came from. */
export function podSpecs(
  objects: readonly K8sObject[],
): { owner: string; labels: Record<string, string>; spec: IPodSpec }[] {
  const out: { owner: string; labels: Record<string, string>; spec: IPodSpec }[] = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, unknown> | undefined;
    let template: { metadata?: { labels?: Record<string, string> }; spec: IPodSpec } | undefined;
    // Deployments are the workers' pods: they get every pod check the Rollouts get.
    if (o.kind === 'Rollout' || o.kind === 'Deployment' || o.kind === 'Job')
      template = spec?.template as typeof template;
    if (o.kind === 'CronJob') {
      const jobTemplate = spec?.jobTemplate as { spec: { template: typeof template } } | undefined;
      template = jobTemplate?.spec.template;
    }
    if (template)
      out.push({
        owner: `${o.kind}/${o.metadata.name}`,
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
      });
  }
  return out;
}

export function containers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}
