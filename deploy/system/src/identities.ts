import { SERVICE_ACCOUNTS, workloadServiceAccount, workloadsIn } from '@conduit/platform';
import type { CfnTemplate, K8sObject, ScenarioArtifacts } from './artifacts.js';
import { allManifests } from './artifacts.js';
import { cdkHelmReleases, type HelmRelease, MARKER, resolveString } from './cfn-values.js';

/**
 * Identities: one service account followed through both layers. Kubernetes creates it (a rendered
 * ServiceAccount, a Helm release's values, an EKS managed add-on); AWS binds a role to it (a Pod Identity
 * association, or an IRSA trust for `system:serviceaccount:<ns>:<name>` plus the role-arn annotation).
 */

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

/**
 * The service account an EKS managed add-on creates (the add-on's documentation; deploy/aws sets only its
 * role). Listed here because no artifact names it.
 */
const MANAGED_ADDON_ACCOUNTS: Readonly<Record<string, ServiceAccountRef>> = {
  'aws-ebs-csi-driver': SERVICE_ACCOUNTS.ebsCsi,
};

export interface AccountFacts extends ServiceAccountRef {
  readonly layers: ('kubernetes' | 'aws')[];
  /** Where Kubernetes gets it from. */
  readonly sources: string[];
  /** The Helm chart that creates it, if one does. */
  chart?: string;
  /** The role the Kubernetes side names (annotation or the add-on's role), as resolved from the artifacts. */
  roleArnAnnotation?: string;
  /** The role the AWS side binds to it (logical id in the Cluster stack), and how. */
  roleId?: string;
  binding?: 'pod-identity' | 'irsa';
}

const TRUST_SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** Every `serviceAccount` block of Helm values at any depth (subcharts too) that creates an account. */
function helmAccounts(release: HelmRelease): { name: string; annotations?: Record<string, string> }[] {
  const out: { name: string; annotations?: Record<string, string> }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'serviceAccount' && x && typeof x === 'object' && !Array.isArray(x)) {
          const sa = x as { create?: boolean; name?: string; annotations?: Record<string, string> };
          // Charts create their service account unless told not to, named after the release by default.
          if (sa.create !== false)
            out.push({ name: sa.name ?? release.release, annotations: sa.annotations });
        } else walk(x);
      }
    }
  };
  walk(release.values);
  return out;
}

/** Helm releases Argo CD installs (Applications with a chart source). */
function argoHelmReleases(objects: readonly K8sObject[]): HelmRelease[] {
  return objects
    .filter((o) => o.kind === 'Application')
    .flatMap((o) => {
      const spec = o.spec as {
        source?: { chart?: string; helm?: { releaseName?: string; valuesObject?: Record<string, unknown> } };
        destination?: { namespace?: string };
      };
      if (!spec.source?.chart) return [];
      return [
        {
          release: spec.source.helm?.releaseName ?? o.metadata.name,
          chart: spec.source.chart,
          namespace: spec.destination?.namespace ?? 'default',
          values: spec.source.helm?.valuesObject ?? {},
          origin: { layer: 'dist' as const, dir: `Application ${o.metadata.name}` },
        },
      ];
    });
}

function parseCondition(value: unknown, t: CfnTemplate, a: ScenarioArtifacts): Record<string, string> {
  if (value && typeof value === 'object' && !Object.keys(value)[0]?.startsWith('Fn::')) {
    return value as Record<string, string>;
  }
  return JSON.parse(resolveString(value, t, a)) as Record<string, string>;
}

/** Every service account either layer knows, merged by namespace and name. */
export function accountsOf(a: ScenarioArtifacts): AccountFacts[] {
  const accounts = new Map<string, AccountFacts>();
  const get = (ns: string, name: string) => {
    const k = `${ns}/${name}`;
    if (!accounts.has(k)) accounts.set(k, { namespace: ns, name, layers: [], sources: [] });
    return accounts.get(k)!;
  };
  const inKubernetes = (ns: string, name: string, source: string, annotation?: string, chart?: string) => {
    const x = get(ns, name);
    if (!x.layers.includes('kubernetes')) x.layers.push('kubernetes');
    x.sources.push(source);
    if (annotation) x.roleArnAnnotation = annotation;
    if (chart) x.chart = chart;
  };
  const objects = allManifests(a);
  for (const o of objects) {
    if (o.kind !== 'ServiceAccount') continue;
    inKubernetes(
      o.metadata.namespace ?? 'default',
      o.metadata.name,
      'rendered ServiceAccount',
      o.metadata.annotations?.[ROLE_ARN_ANNOTATION],
    );
  }
  for (const release of [...argoHelmReleases(objects), ...cdkHelmReleases(a)]) {
    for (const sa of helmAccounts(release)) {
      inKubernetes(
        release.namespace,
        sa.name,
        `Helm release ${release.release} (${release.chart})`,
        sa.annotations?.[ROLE_ARN_ANNOTATION],
        release.chart,
      );
    }
  }
  const t = a.templates.Cluster;
  if (!t) return [...accounts.values()];
  for (const r of Object.values(t.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EKS::Addon') {
      const account = MANAGED_ADDON_ACCOUNTS[String(p.AddonName)];
      if (account) {
        const role = p.ServiceAccountRoleArn ? resolveString(p.ServiceAccountRoleArn, t, a) : undefined;
        inKubernetes(account.namespace, account.name, `EKS add-on ${p.AddonName}`, role);
      }
    }
  }
  for (const [id, r] of Object.entries(t.Resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::EKS::PodIdentityAssociation') {
      const x = get(String(p.Namespace), String(p.ServiceAccount));
      if (!x.layers.includes('aws')) x.layers.push('aws');
      x.roleId = (p.RoleArn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] ?? id;
      x.binding = 'pod-identity';
    }
    if (r.Type === 'AWS::IAM::Role') {
      const statements = (p.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      for (const s of statements) {
        if (s.Action !== 'sts:AssumeRoleWithWebIdentity') continue;
        const condition = parseCondition((s.Condition as Record<string, unknown>)?.StringEquals, t, a);
        for (const [k, v] of Object.entries(condition)) {
          const m = k.endsWith(':sub') ? TRUST_SUBJECT.exec(v) : null;
          if (!m) continue;
          const x = get(m[1]!, m[2]!);
          if (!x.layers.includes('aws')) x.layers.push('aws');
          x.roleId = id;
          x.binding = 'irsa';
        }
      }
    }
  }
  return [...accounts.values()];
}

/** The service accounts whose pods call AWS, from the model: the platform's and each workload's with `aws`. */
export function callersOfAws(a: ScenarioArtifacts): ServiceAccountRef[] {
  return [
    ...Object.values(SERVICE_ACCOUNTS),
    ...workloadsIn(a.stage.name)
      .filter((w) => w.workload.aws)
      .map((w) => workloadServiceAccount(w.workload.name)),
  ];
}

/** The role an annotation or add-on role names: a `«<id>.Arn»` marker, or a literal ARN of a named role. */
function annotatedRoleId(arn: string, t: CfnTemplate): string | undefined {
  const marker = [...arn.matchAll(MARKER)][0]?.[1];
  if (marker?.endsWith('.Arn')) return marker.slice(0, -'.Arn'.length);
  const name = /^arn:aws:iam::\d{12}:role\/(.+)$/.exec(arn)?.[1];
  return Object.entries(t.Resources).find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === name,
  )?.[0];
}

/** Check 2b: every service account that calls AWS exists in both layers, bound in the stage's identity mode. */
export function checkIdentities(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const mode = a.stage.options.workloadIdentity;
  const t = a.templates.Cluster;
  if (!t) return [`${a.scenario.name}: no Cluster stack`];
  const accounts = accountsOf(a);
  const expected = callersOfAws(a);
  const where = (x: ServiceAccountRef, f: string) => `${a.scenario.name}: ${x.namespace}/${x.name} ${f}`;
  for (const e of expected) {
    const x = accounts.find((y) => y.namespace === e.namespace && y.name === e.name);
    if (!x?.layers.includes('kubernetes')) {
      findings.push(where(e, 'calls AWS (model) but no manifest, Helm release or EKS add-on creates it'));
    }
    if (!x?.layers.includes('aws')) {
      findings.push(
        where(
          e,
          `calls AWS (model) but the Cluster stack binds no role to it (${mode === 'irsa' ? 'IRSA trust' : 'Pod Identity association'})`,
        ),
      );
    }
  }
  for (const x of accounts) {
    const calls = expected.some((e) => e.namespace === x.namespace && e.name === x.name);
    if (x.layers.includes('aws') && !x.layers.includes('kubernetes')) {
      findings.push(where(x, `has a role (${x.roleId}) but exists only in the AWS layer`));
    }
    if (x.roleArnAnnotation && !x.layers.includes('aws')) {
      findings.push(where(x, `names role ${x.roleArnAnnotation} but exists only in the Kubernetes layer`));
    }
    if (!x.layers.includes('aws')) continue;
    if (!calls) findings.push(where(x, `has a role (${x.roleId}) but the model lists no AWS calls for it`));
    if (x.binding !== mode) {
      findings.push(where(x, `is bound by ${x.binding} in a ${mode} stage`));
    }
    if (mode === 'irsa' && x.layers.includes('kubernetes')) {
      const annotated = x.roleArnAnnotation ? annotatedRoleId(x.roleArnAnnotation, t) : undefined;
      if (!x.roleArnAnnotation)
        findings.push(where(x, `has no ${ROLE_ARN_ANNOTATION} annotation for role ${x.roleId}`));
      else if (annotated !== x.roleId) {
        findings.push(
          where(x, `is annotated with ${x.roleArnAnnotation}, not the role ${x.roleId} that trusts it`),
        );
      }
    }
    if (mode === 'pod-identity' && x.roleArnAnnotation) {
      findings.push(where(x, `carries ${ROLE_ARN_ANNOTATION} in a pod-identity stage`));
    }
  }
  return findings;
}
