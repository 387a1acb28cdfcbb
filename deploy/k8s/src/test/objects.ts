import { STAGE_NAMES } from '@conduit/platform';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { type K8sObject, type RenderedStage, renderStage } from '../render.js';
import type { RenderSettings } from '../settings.js';
import { renderSettings } from '../stages/index.js';

export interface RenderedCase {
  readonly name: string;
  readonly settings: RenderSettings;
  readonly dirs: RenderedStage;
  readonly all: K8sObject[];
}

/** The three stages plus variants that exercise the other branches of each setting. */
export function renderedCases(): RenderedCase[] {
  const base = STAGE_NAMES.map((name) => ({ name, settings: renderSettings(name) }));
  const prod = renderSettings('prod');
  const dev = renderSettings('dev');
  // Clusters without AWS (kind, k3s, another cloud) are settings, not a stage: NGINX or Istio routing,
  // CloudNativePG in the cluster, Secrets created by hand, no AWS add-ons.
  const { aws: _aws, otlpEndpoint: _otlp, ...withoutAws } = dev;
  const variants: { name: string; settings: RenderSettings }[] = [
    {
      name: 'dev+nginx+cnpg+plain',
      settings: {
        ...withoutAws,
        host: 'conduit.dev.example.com',
        router: { kind: 'nginx', controllerNamespace: 'ingress-nginx', clusterIssuer: 'letsencrypt' },
        database: {
          kind: 'cnpg',
          instances: 1,
          storageSize: '5Gi',
          backupDestination: 's3://conduit-dev-backups/cnpg',
          backupCredentialsSecret: 'conduit-db-backup-credentials',
          backupRetention: '7d',
        },
        secrets: { kind: 'plain' },
      },
    },
    {
      name: 'prod+istio',
      settings: {
        ...prod,
        router: { kind: 'istio', gateway: 'istio-ingress/public', gatewayNamespace: 'istio-ingress' },
        database: {
          kind: 'cnpg',
          instances: 3,
          storageSize: '20Gi',
          backupDestination: 's3://conduit-prod-backups/cnpg',
          backupCredentialsSecret: 'conduit-db-backup-credentials',
          backupRetention: '30d',
        },
        secrets: { kind: 'plain' },
      },
    },
    {
      name: 'prod+verify+irsa',
      settings: {
        ...prod,
        router: {
          ...(prod.router as Extract<RenderSettings['router'], { kind: 'alb' }>),
          canaryServices: 'verify',
        },
        secrets: {
          kind: 'external-secrets',
          region: 'us-east-1',
          identity: { kind: 'irsa', roleArn: 'arn:aws:iam::333333333333:role/conduit-eso' },
          jwtSecretName: 'conduit/prod/jwt',
        },
      },
    },
  ];
  return [...base, ...variants].map(({ name, settings }) => {
    const dirs = renderStage(settings);
    return { name, settings, dirs, all: Object.values(dirs).flat() };
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
