// Runs in a Node 24 process (see strict-validate.ts): the models in tools/k8s-schemas need Node 22.
// Reads a JSON array of objects on stdin and writes, for each, the list of its schema problems.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const MODELS = join(import.meta.dirname, '..', '..', '..', '..', 'tools', 'k8s-schemas', 'node_modules');
const MODULES = [
  'kubernetes-models/v1',
  'kubernetes-models/apps/v1',
  'kubernetes-models/batch/v1',
  'kubernetes-models/autoscaling/v2',
  'kubernetes-models/policy/v1',
  'kubernetes-models/networking.k8s.io/v1',
  'kubernetes-models/scheduling.k8s.io/v1',
  'kubernetes-models/rbac.authorization.k8s.io/v1',
  '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1',
  '@kubernetes-models/argo-cd/argoproj.io/v1alpha1',
  '@kubernetes-models/cert-manager/cert-manager.io/v1',
  '@kubernetes-models/external-secrets/external-secrets.io/v1',
  '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
];
const modules: Record<string, unknown>[] = await Promise.all(
  MODULES.map((m) => import(pathToFileURL(join(MODELS, m, 'index.js')).href)),
);

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

const registry = new Map<string, ModelClass>();
for (const mod of modules) {
  for (const value of Object.values(mod)) {
    const c = value as Partial<ModelClass>;
    if (typeof value === 'function' && typeof c.apiVersion === 'string' && typeof c.kind === 'string') {
      registry.set(`${c.apiVersion}/${c.kind}`, value as unknown as ModelClass);
    }
  }
}

/**
 * Fields whose schema is free-form (`x-kubernetes-preserve-unknown-fields`): the generated validators never
 * look inside them, so they are exempt from the unknown-field check.
 */
const FREE_FORM = [/^\/spec\/source\/helm\/valuesObject(\/|$)/];

/** Declared fields whose schema has no constraint at all, so the validators never read them. */
const UNCONSTRAINED: Readonly<Record<string, readonly string[]>> = { PriorityClass: ['/description'] };

/**
 * Validates one object against its published schema (Kubernetes 1.33 or the CRD) and rejects unknown fields.
 * The generated validators check every declared property by name, so a Proxy records which keys of each
 * object they looked at; any key the schema never asked for is unknown. Maps (labels, data) are enumerated by
 * the validator, which marks all their keys as known.
 */
function strictValidate(object: { apiVersion: string; kind: string }): string[] {
  const model = registry.get(`${object.apiVersion}/${object.kind}`);
  if (!model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  const accessed = new Map<string, Set<string>>();
  const enumerated = new Set<string>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value as Record<string | symbol, unknown>, {
      get(target, key) {
        if (typeof key === 'string') {
          let keys = accessed.get(path);
          if (!keys) {
            keys = new Set();
            accessed.set(path, keys);
          }
          keys.add(key);
          return wrap(target[key], `${path}/${key}`);
        }
        return target[key];
      },
      ownKeys(target) {
        enumerated.add(path);
        return Reflect.ownKeys(target);
      },
    });
  };
  const errors: string[] = [];
  try {
    model.prototype.validate.call(wrap(object, ''));
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  }
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, `${path}/${i}`);
      return;
    }
    if (FREE_FORM.some((re) => re.test(path))) return;
    const known = accessed.get(path);
    const checked = !enumerated.has(path) && known !== undefined && known.size > 0;
    for (const [key, child] of Object.entries(value)) {
      const exempt = UNCONSTRAINED[object.kind]?.includes(`${path}/${key}`) ?? false;
      if (checked && !known.has(key) && !exempt) errors.push(`${path}/${key}: unknown field`);
      walk(child, `${path}/${key}`);
    }
  };
  walk(object, '');
  return errors;
}

const objects = JSON.parse(readFileSync(0, 'utf8')) as { apiVersion: string; kind: string }[];
process.stdout.write(JSON.stringify(objects.map(strictValidate)));
