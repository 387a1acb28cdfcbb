import type { CfnResource, CfnTemplate } from './artifacts.js';

/** A template with the sections the request-path checks read besides its resources. */
export type TemplateWithMappings = CfnTemplate & {
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
};

/**
 * The value a template gives for a property: literals as they are, `Ref`/`Fn::GetAtt` to a resource as
 * that resource (with its logical id), `Fn::FindInMap` through the template's mappings with
 * `AWS::Region` set to the stack's region. Anything else stays unresolved (`undefined`), so a check never
 * guesses what CloudFormation would compute.
 */
export type Resolved =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'resource'; readonly id: string; readonly resource: CfnResource }
  | { readonly kind: 'unresolved'; readonly expression: unknown };

export function resolve(t: TemplateWithMappings, value: unknown, region: string): Resolved {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'literal', value };
  const v = value as Record<string, unknown>;
  const ref = (v.Ref ?? (Array.isArray(v['Fn::GetAtt']) ? (v['Fn::GetAtt'] as unknown[])[0] : undefined)) as
    | string
    | undefined;
  if (typeof ref === 'string') {
    if (ref === 'AWS::Region') return { kind: 'literal', value: region };
    const resource = t.Resources[ref];
    return resource ? { kind: 'resource', id: ref, resource } : { kind: 'unresolved', expression: value };
  }
  const findInMap = v['Fn::FindInMap'];
  if (Array.isArray(findInMap) && findInMap.length === 3) {
    const [map, top, second] = findInMap.map((part) => resolve(t, part, region));
    if (map?.kind === 'literal' && top?.kind === 'literal' && second?.kind === 'literal') {
      const found = t.Mappings?.[String(map.value)]?.[String(top.value)]?.[String(second.value)];
      if (found !== undefined) return { kind: 'literal', value: found };
    }
  }
  return { kind: 'unresolved', expression: value };
}

/** The literal a property resolves to, or undefined. */
export function literal(t: TemplateWithMappings, value: unknown, region: string): unknown {
  const r = resolve(t, value, region);
  return r.kind === 'literal' ? r.value : undefined;
}

/** The value of a `Tags: [{Key, Value}]` entry of a resource. */
export function tagValue(resource: CfnResource, key: string): unknown {
  const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: unknown }[];
  return tags.find((tag) => tag.Key === key)?.Value;
}
