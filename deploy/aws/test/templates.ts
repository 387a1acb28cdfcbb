import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageName } from '@conduit/platform';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';

export type StackName = 'Network' | 'Data' | 'Cluster' | 'Edge' | 'CiIdentity' | 'BackupCopy';

interface Manifest {
  artifacts: Record<string, { type: string; displayName?: string; properties?: { templateFile?: string } }>;
}

const cache = new Map<string, Template>();

export function templateJson(stage: StageName, stack: StackName): Record<string, unknown> {
  const { outdir } = inject('synth');
  const dir = join(outdir, `assembly-${stage}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const artifact = Object.values(manifest.artifacts).find(
    (a) => a.type === 'aws:cloudformation:stack' && a.displayName === `${stage}/${stack}`,
  );
  if (!artifact?.properties?.templateFile) throw new Error(`no stack ${stage}/${stack} in the assembly`);
  return JSON.parse(readFileSync(join(dir, artifact.properties.templateFile), 'utf8'));
}

export function stackExists(stage: StageName, stack: StackName): boolean {
  try {
    templateJson(stage, stack);
    return true;
  } catch {
    return false;
  }
}

export function template(stage: StageName, stack: StackName): Template {
  const key = `${stage}/${stack}`;
  let t = cache.get(key);
  if (!t) {
    t = Template.fromJSON(templateJson(stage, stack));
    cache.set(key, t);
  }
  return t;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Turns an `Fn::Join` of JSON text (how CDK renders manifests and Helm values holding tokens) back
 * into an object; each token becomes a readable placeholder such as `${Ref:KarpenterNodeRole}`.
 */
export function parseJsonProperty(value: unknown): Record<string, unknown> | Record<string, unknown>[] {
  if (typeof value === 'string') return JSON.parse(value);
  const join = (value as { 'Fn::Join'?: [string, Json[]] })['Fn::Join'];
  if (!join) throw new Error(`not JSON text or Fn::Join: ${JSON.stringify(value)}`);
  const text = join[1]
    .map((part) => (typeof part === 'string' ? part : `\${${tokenName(part)}}`))
    .join(join[0]);
  return JSON.parse(text);
}

function tokenName(part: Json): string {
  if (part && typeof part === 'object' && !Array.isArray(part)) {
    const [fn, arg] = Object.entries(part)[0] ?? [];
    if (fn === 'Ref') return `Ref:${String(arg)}`;
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) return `GetAtt:${arg.join('.')}`;
    // Weak cross-stack references name the producing output, which embeds the logical id.
    if (fn === 'Fn::GetStackOutput') return `GetStackOutput:${(arg as { OutputName: string }).OutputName}`;
    return `${fn}`;
  }
  return String(part);
}

/** All resources of a type as [logicalId, resource] pairs. */
export function resourcesOfType(
  stage: StageName,
  stack: StackName,
  type: string,
): [
  string,
  { Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string },
][] {
  const resources = templateJson(stage, stack).Resources as Record<
    string,
    {
      Type: string;
      Properties?: Record<string, unknown>;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    }
  >;
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
