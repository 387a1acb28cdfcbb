import type { CfnTemplate, K8sObject, ScenarioArtifacts } from './artifacts.js';

/**
 * Reading values out of synthesized templates without deploying them: intrinsic functions are resolved as far
 * as the template alone allows (pseudo parameters from the stage, `Fn::Join`, CDK's `CfnJson` values), and
 * everything only a deploy knows becomes a marker that names where it comes from (`«Role1234.Arn»`), so a
 * role's ARN inside a Helm value can still be traced back to the role.
 */

export const MARKER = /«([^»]+)»/g;

/** Marker of a deploy-time value: `«<logical id>.<attribute>»` or `«Ref <logical id>»`. */
export function marker(text: string): string {
  return `«${text}»`;
}

export function resolveString(value: unknown, template: CfnTemplate, a: ScenarioArtifacts): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value)[0] ?? [];
    if (fn === 'Fn::Join' && Array.isArray(arg)) {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => resolveString(p, template, a)).join(sep);
    }
    if (fn === 'Ref' && typeof arg === 'string') {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': a.stage.region,
        'AWS::AccountId': a.stage.account,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[arg] ?? marker(`Ref ${arg}`);
    }
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
      const [id, attribute] = arg as [string, string];
      const target = template.Resources[id];
      // CfnJson: a custom resource that echoes its Value, used for keys only known at deploy time (IRSA).
      if (target?.Type === 'Custom::AWSCDKCfnJson' && attribute === 'Value') {
        return resolveString(target.Properties?.Value, template, a);
      }
      return marker(`${id}.${attribute}`);
    }
    return marker(fn ?? 'unknown');
  }
  return '';
}

/** A property holding JSON (Helm values, Kubernetes manifests), parsed after resolving its tokens. */
export function resolveJson(value: unknown, template: CfnTemplate, a: ScenarioArtifacts): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Object.keys(value)[0]?.startsWith('Fn::')) {
    return value;
  }
  return JSON.parse(resolveString(value, template, a));
}

/** Where a Kubernetes object (or Helm release) comes from: a rendered directory or a CDK resource. */
export type Origin = { readonly layer: 'dist'; readonly dir: string } | CdkOrigin;
export interface CdkOrigin {
  readonly layer: 'cdk';
  readonly stack: string;
  readonly logicalId: string;
}

export function describeOrigin(o: Origin): string {
  return o.layer === 'dist' ? `dist ${o.dir}/` : `CDK ${o.stack}/${o.logicalId}`;
}

/** Every Kubernetes object the CDK app applies to the cluster (`KubernetesManifest` custom resources). */
export function cdkManifests(a: ScenarioArtifacts): { object: K8sObject; origin: CdkOrigin }[] {
  const out: { object: K8sObject; origin: CdkOrigin }[] = [];
  for (const [stack, template] of Object.entries(a.templates)) {
    if (!template) continue;
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'Custom::AWSCDK-EKS-KubernetesResource') continue;
      const objects = resolveJson(r.Properties?.Manifest, template, a) as K8sObject[];
      for (const object of objects) out.push({ object, origin: { layer: 'cdk', stack, logicalId } });
    }
  }
  return out;
}

export interface HelmRelease {
  readonly release: string;
  readonly chart: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly origin: Origin;
}

/** Helm charts the CDK app installs (`Custom::AWSCDK-EKS-HelmChart`). */
export function cdkHelmReleases(a: ScenarioArtifacts): HelmRelease[] {
  const out: HelmRelease[] = [];
  for (const [stack, template] of Object.entries(a.templates)) {
    if (!template) continue;
    for (const [logicalId, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'Custom::AWSCDK-EKS-HelmChart') continue;
      const p = r.Properties ?? {};
      out.push({
        release: String(p.Release),
        chart: String(p.Chart),
        namespace: String(p.Namespace ?? 'default'),
        values: (resolveJson(p.Values, template, a) ?? {}) as Record<string, unknown>,
        origin: { layer: 'cdk', stack, logicalId },
      });
    }
  }
  return out;
}

/** The string values of one property of every resource of a type, across the scenario's templates. */
export function resourceStrings(a: ScenarioArtifacts, type: string, property: string): string[] {
  return Object.values(a.templates).flatMap((template) =>
    template
      ? Object.values(template.Resources)
          .filter((r) => r.Type === type && r.Properties?.[property] !== undefined)
          .map((r) => resolveString(r.Properties?.[property], template, a))
      : [],
  );
}
