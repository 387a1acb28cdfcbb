import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  containerLogGroupName,
  SERVICE_ACCOUNTS,
  STAGE_NAMES,
  STAGES,
  type StageName,
} from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PACKAGE_DIR } from './synth.js';
import { resourcesOfType } from './templates.js';

/** deploy/k8s's committed, rendered manifests: what Argo CD actually applies. */
const K8S_DIST = join(PACKAGE_DIR, '..', 'k8s', 'dist');

type Doc = Record<string, unknown>;

/** The value at a dotted path of a parsed manifest, or undefined. */
function dig(doc: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      doc,
    );
}
const str = (doc: unknown, path: string) => dig(doc, path) as string | undefined;

function renderedDocs(stage: StageName): Doc[] {
  const dir = join(K8S_DIST, stage);
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), 'utf8'))
      .map((d) => d.toJSON() as Doc | null)
      .filter((d): d is Doc => d !== null),
  );
}

/**
 * The service account an Argo CD Application's Helm release runs under: the name its values set, else the
 * chart default, which for these charts is the release name (`<release>-grafana` for kube-prometheus-stack).
 */
const HELM_SERVICE_ACCOUNTS: Record<
  string,
  { key: keyof typeof SERVICE_ACCOUNTS; of: (app: Doc) => string }
> = {
  'external-secrets': { key: 'externalSecrets', of: (a) => valuesSa(a) },
  'external-dns': { key: 'externalDns', of: (a) => valuesSa(a) },
  'argo-rollouts': { key: 'argoRollouts', of: (a) => valuesSa(a) },
  'fluent-bit': { key: 'fluentBit', of: (a) => valuesSa(a) },
  'kube-prometheus-stack': {
    key: 'grafana',
    of: (a) =>
      str(a, 'spec.source.helm.valuesObject.grafana.serviceAccount.name') ??
      `${str(a, 'spec.source.helm.releaseName')}-grafana`,
  },
};

function valuesSa(app: Doc): string {
  return (
    str(app, 'spec.source.helm.valuesObject.serviceAccount.name') || str(app, 'spec.source.helm.releaseName')!
  );
}

const renderedStages = STAGE_NAMES.filter((s) => existsSync(join(K8S_DIST, s)));

describe('service accounts match what deploy/k8s renders (reads deploy/k8s/dist)', () => {
  it('finds the rendered stages of deploy/k8s', () => {
    expect(renderedStages).toEqual([...STAGE_NAMES]);
  });

  describe.each(renderedStages)('%s', (stage) => {
    const docs = renderedDocs(stage);

    it('binds the backup and restore-drill CronJobs to the ops service account', () => {
      const { namespace, name } = SERVICE_ACCOUNTS.opsJobs;
      const cronJobs = docs.filter(
        (d) =>
          d.kind === 'CronJob' &&
          str(d, 'metadata.namespace') === namespace &&
          ['backup', 'restore-drill'].includes(str(d, 'metadata.name') ?? ''),
      );
      expect(cronJobs.map((c) => str(c, 'metadata.name')).sort()).toEqual(['backup', 'restore-drill']);
      for (const c of cronJobs) {
        const sa = str(c, 'spec.jobTemplate.spec.template.spec.serviceAccountName');
        expect(sa, str(c, 'metadata.name')).toBe(name);
      }
      expect(
        docs.some(
          (d) =>
            d.kind === 'ServiceAccount' &&
            str(d, 'metadata.namespace') === namespace &&
            str(d, 'metadata.name') === name,
        ),
      ).toBe(true);
    });

    it('runs every AWS-calling Helm release under the namespace and service account we associate', () => {
      const checked = docs.filter(
        (d) => d.kind === 'Application' && HELM_SERVICE_ACCOUNTS[str(d, 'spec.source.chart') ?? ''],
      );
      // Staging and prod run on AWS with the ALB router; every one of these charts must be there.
      expect(checked.length).toBeGreaterThanOrEqual(3);
      for (const app of checked) {
        const chart = str(app, 'spec.source.chart')!;
        const { key, of } = HELM_SERVICE_ACCOUNTS[chart]!;
        expect(
          `${str(app, 'spec.destination.namespace')}/${of(app)}`,
          `${str(app, 'metadata.name')} (chart ${chart})`,
        ).toBe(`${SERVICE_ACCOUNTS[key].namespace}/${SERVICE_ACCOUNTS[key].name}`);
      }
    });

    it('has Fluent Bit write to the log group CDK owns, never creating it or setting its retention', () => {
      const fluentBit = docs.find(
        (d) => d.kind === 'Application' && str(d, 'spec.source.chart') === 'fluent-bit',
      );
      const outputs = str(fluentBit, 'spec.source.helm.valuesObject.config.outputs') ?? '';
      const groups = [...outputs.matchAll(/^\s*log_group_name\s+(\S+)\s*$/gm)].map((m) => m[1]);
      expect(groups).toEqual([containerLogGroupName(stage)]);
      // The group the synthesized cluster stack really creates (with retention), not just the name constant.
      const created = resourcesOfType(stage, 'Cluster', 'AWS::Logs::LogGroup').map(
        ([, r]) => r.Properties!.LogGroupName,
      );
      expect(created).toContain(groups[0]);
      // Its role has no CreateLogGroup/PutRetentionPolicy: auto-create must be off, retention absent.
      expect(
        [...outputs.matchAll(/^\s*(auto_create_group|log_retention_days)\s+(\S+)\s*$/gim)].map(
          (m) => `${m[1]} ${m[2]}`,
        ),
      ).toEqual(['auto_create_group Off']);
    });

    it('sends traces to the collector whose namespace and name we associate (adot-collector)', () => {
      const { namespace, name } = SERVICE_ACCOUNTS.adotCollector;
      const endpoints = docs
        .filter((d) => d.kind === 'ConfigMap')
        .flatMap((d) => Object.entries((d.data ?? {}) as Record<string, string>))
        .filter(([k]) => k === 'OTEL_EXPORTER_OTLP_ENDPOINT')
        .map(([, v]) => new URL(v).hostname);
      for (const host of endpoints) expect(host).toBe(`${name}.${namespace}.svc`);
    });
  });

  it.each(['staging', 'prod'] as const)('renders all AWS-calling releases in %s', (stage) => {
    const charts = renderedDocs(stage)
      .filter((d) => d.kind === 'Application')
      .map((d) => str(d, 'spec.source.chart'));
    expect(charts).toEqual(expect.arrayContaining(Object.keys(HELM_SERVICE_ACCOUNTS)));
    // The cluster stack installs the Load Balancer Controller (it needs the real VPC id); a second release
    // from Argo CD would fight over the same service account and webhooks.
    expect(charts).not.toContain('aws-load-balancer-controller');
  });
});

describe('network policies admit what the VPC really carves (reads deploy/k8s/dist)', () => {
  describe.each(renderedStages)('%s', (stage) => {
    const docs = renderedDocs(stage);
    const subnets = resourcesOfType(stage, 'Network', 'AWS::EC2::Subnet').map(([, r]) => r.Properties!);
    const tagged = (key: string, value: string) =>
      subnets
        .filter((s) =>
          (s.Tags as { Key: string; Value: string }[]).some((t) => t.Key === key && t.Value === value),
        )
        .map((s) => s.CidrBlock as string);
    const policy = (name: string) =>
      docs.find((d) => d.kind === 'NetworkPolicy' && str(d, 'metadata.name') === name);
    const cidrs = (peers: unknown) =>
      ((peers ?? []) as { ipBlock?: { cidr: string } }[]).flatMap((p) => (p.ipBlock ? [p.ipBlock.cidr] : []));

    it('lets the HTTP workloads be reached from the subnets the internet-facing ALB is placed in, and only those', () => {
      // The Load Balancer Controller puts an internet-facing ALB in the subnets tagged kubernetes.io/role/elb;
      // with target type ip its requests and health checks reach the pods from its ENIs there.
      const albSubnets = tagged('kubernetes.io/role/elb', '1');
      expect(albSubnets).toHaveLength(STAGES[stage].network.azCount);
      for (const name of ['api-ingress', 'web-ingress']) {
        const rules = dig(policy(name), 'spec.ingress') as { from: unknown }[];
        const fromCidrs = rules.flatMap((r) => cidrs(r.from));
        expect(fromCidrs.sort(), name).toEqual([...albSubnets].sort());
        // Pods sit in the private subnets: a policy admitting any of them would admit every pod there.
        for (const pods of tagged('aws-cdk:subnet-type', 'Private')) expect(fromCidrs).not.toContain(pods);
      }
    });

    it('lets the ops jobs reach PostgreSQL only in the isolated database subnets', () => {
      const database = tagged('aws-cdk:subnet-type', 'Isolated');
      const egress = dig(policy('ops-egress'), 'spec.egress') as { to: unknown; ports: { port: number }[] }[];
      const toDb = egress.filter((r) => r.ports.some((p) => p.port === STAGES[stage].database.port));
      expect(toDb.flatMap((r) => cidrs(r.to)).sort()).toEqual([...database].sort());
    });
  });
});
