import { PRODUCT } from '@conduit/platform';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** Anything with a type header; the typed shapes come from `kubernetes-models` and its CRD packages. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Adds one typed object to the construct tree. The construct id is `<kind>-<name>` unless given. */
export function manifest<T extends Manifest>(scope: Construct, object: T, id?: string): ApiObject {
  const name = object.metadata?.name;
  if (!name)
    throw new Error(`${object.kind}: metadata.name is required (names are explicit, never generated)`);
  return new ApiObject(
    scope,
    id ?? `${object.kind}-${name}`,
    object as unknown as ConstructorParameters<typeof ApiObject>[2],
  );
}

/** `app.kubernetes.io/part-of` of every object: the product name. */
export const PART_OF = PRODUCT;

/** The one label that selects a workload's pods (the first of its labels). */
export function selectorLabels(workload: string): Record<string, string> {
  return { 'app.kubernetes.io/name': workload };
}
