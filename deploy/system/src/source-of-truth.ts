import { canaryWorkloads, runtimeOwnedFields } from '@conduit/k8s';
import type { K8sObject, ManifestDir, ScenarioArtifacts } from './artifacts.js';
import { argoObjects, directoriesRead, sourcesOf } from './gitops.js';

/**
 * Git is the source of truth: a field Argo CD is told to ignore never reaches the cluster on sync (with
 * `RespectIgnoreDifferences`) or never shows as drift (without). So an ignored field must be one the rendered
 * object leaves unset, or one a controller owns at run time, declared with its owner and reason in deploy/k8s
 * (`runtimeOwnedFields`, listed in its README).
 */

type Segment = string | number | '[]';

/** A JSON pointer (RFC 6901) as path segments. */
export function pointerPath(pointer: string): Segment[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * The path of the jq expressions Argo CD's ignoreDifferences take in practice (`.a.b["c"]`, `.a[0]`, `.a[]`);
 * undefined for anything richer (a `select(...)`), which only a declared exception may use.
 */
export function jqPath(expression: string): Segment[] | undefined {
  const out: Segment[] = [];
  const re = /\.([A-Za-z_][\w-]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|\[\]/y;
  const text = expression.trim();
  if (!text.startsWith('.')) return undefined;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(Number(m[3]));
    else out.push('[]');
    at = re.lastIndex;
  }
  return out;
}

/** Whether the object sets the field at the path (any element, for `[]`). */
export function sets(value: unknown, path: readonly Segment[]): boolean {
  if (path.length === 0) return value !== undefined && value !== null;
  const [head, ...tail] = path;
  if (head === '[]') return Array.isArray(value) && value.some((v) => sets(v, tail));
  if (value === null || typeof value !== 'object') return false;
  return sets((value as Record<string | number, unknown>)[head as string | number], tail);
}

interface IgnoreEntry {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  jqPathExpressions?: string[];
  managedFieldsManagers?: string[];
}

const groupOf = (o: K8sObject) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');

/** Check 3: every ignored field of our own rendered objects is unset by Git or owned by a controller. */
export function checkSourceOfTruth(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const exceptions = runtimeOwnedFields(a.render, canaryWorkloads(a.render));
  const excepted = (entry: IgnoreEntry, expression: string) =>
    exceptions.some(
      (e) =>
        e.group === (entry.group ?? '') && e.kind === entry.kind && e.jqPathExpressions.includes(expression),
    );
  for (const { object: app } of argoObjects(a)) {
    if (app.kind !== 'Application') continue;
    const spec = app.spec as { ignoreDifferences?: IgnoreEntry[]; syncPolicy?: { syncOptions?: string[] } };
    const respect = (spec.syncPolicy?.syncOptions ?? []).includes('RespectIgnoreDifferences=true');
    const effect = respect
      ? 'a change in Git never reaches the cluster (RespectIgnoreDifferences)'
      : 'drift from Git is never shown or healed';
    const dirs = sourcesOf(app)
      .filter((s) => s.repoURL === a.stage.gitops.repoUrl && !s.chart)
      .flatMap((s) => directoriesRead(app, s, a).dirs) as ManifestDir[];
    for (const entry of spec.ignoreDifferences ?? []) {
      const targets = dirs
        .flatMap((d) => a.manifests[d])
        .filter(
          (o) =>
            o.kind === entry.kind &&
            groupOf(o) === (entry.group ?? '') &&
            (entry.name === undefined || o.metadata.name === entry.name) &&
            (entry.namespace === undefined || o.metadata.namespace === entry.namespace),
        );
      const paths = [
        ...(entry.jsonPointers ?? []).map((p) => ({ expression: p, path: pointerPath(p) })),
        ...(entry.jqPathExpressions ?? []).map((p) => ({ expression: p, path: jqPath(p) })),
      ];
      for (const { expression, path } of paths) {
        if (excepted(entry, expression)) continue;
        const where = `${a.scenario.name}: Application ${app.metadata.name} ignores ${entry.kind} ${expression}`;
        if (!path) {
          findings.push(`${where}, which is no plain path and no declared runtime-owned field`);
          continue;
        }
        const setters = targets.filter((o) => sets(o, path)).map((o) => o.metadata.name);
        if (setters.length > 0) {
          findings.push(`${where}, which Git sets (${setters.join(', ')}): ${effect}`);
        }
      }
    }
  }
  return findings;
}
