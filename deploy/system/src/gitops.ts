import { posix } from 'node:path';
import { gitopsPath } from '@conduit/platform';
import type { K8sObject, ManifestDir, ScenarioArtifacts } from './artifacts.js';
import { cdkHelmReleases, cdkManifests, describeOrigin, type Origin } from './cfn-values.js';

/**
 * GitOps: which Argo CD objects exist, who puts each into the cluster, and which rendered directory each
 * Application reads. The tree starts at what the CDK app applies (the root) and must reach every directory
 * of `deploy/k8s/dist/<stage>/` exactly once.
 */

export const ARGO_KINDS = ['Application', 'ApplicationSet', 'AppProject'] as const;
/** Argo CD reads these files of a directory source (unless `directory.include` narrows them). */
const MANIFEST_FILE = /\.(ya?ml|json)$/;
/** The file each rendered directory holds. */
export const RENDERED_FILE = 'manifests.yaml';

export interface ArgoObject {
  readonly object: K8sObject;
  readonly origin: Origin;
}

const isArgo = (o: unknown): o is K8sObject =>
  typeof o === 'object' &&
  o !== null &&
  String((o as K8sObject).apiVersion ?? '').startsWith('argoproj.io/') &&
  (ARGO_KINDS as readonly string[]).includes(String((o as K8sObject).kind));

/** Argo CD objects nested anywhere in Helm values (e.g. the argo-cd chart's `extraObjects`). */
function nestedArgo(value: unknown, origin: Origin, out: ArgoObject[]): void {
  if (Array.isArray(value)) for (const v of value) nestedArgo(v, origin, out);
  else if (value && typeof value === 'object') {
    if (isArgo(value)) out.push({ object: value, origin });
    else for (const v of Object.values(value)) nestedArgo(v, origin, out);
  }
}

/** Helm values of an Application source (`helm.valuesObject`, or `helm.values` as YAML-free JSON). */
function applicationValues(app: K8sObject): unknown {
  const helm = (app.spec as { source?: { helm?: { valuesObject?: unknown } } } | undefined)?.source?.helm;
  return helm?.valuesObject;
}

/** Every Application, ApplicationSet and AppProject of the scenario and where it comes from. */
export function argoObjects(a: ScenarioArtifacts): ArgoObject[] {
  const out: ArgoObject[] = [];
  for (const [dir, objects] of Object.entries(a.manifests)) {
    const origin: Origin = { layer: 'dist', dir };
    for (const o of objects) {
      if (isArgo(o)) out.push({ object: o, origin });
      if (o.kind === 'Application') nestedArgo(applicationValues(o), origin, out);
    }
  }
  for (const { object, origin } of cdkManifests(a)) if (isArgo(object)) out.push({ object, origin });
  for (const release of cdkHelmReleases(a)) nestedArgo(release.values, release.origin, out);
  return out;
}

interface Source {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  directory?: { recurse?: boolean; include?: string; exclude?: string };
}

export function sourcesOf(app: K8sObject): Source[] {
  const spec = (app.spec ?? {}) as { source?: Source; sources?: Source[] };
  return [...(spec.source ? [spec.source] : []), ...(spec.sources ?? [])];
}

/** Argo CD's directory globs: `*` within a path segment, `**` across, `{a,b}` alternatives. */
function globMatches(glob: string, path: string): boolean {
  const alternatives = glob.startsWith('{') && glob.endsWith('}') ? glob.slice(1, -1).split(',') : [glob];
  return alternatives.some((g) => {
    const re = g
      .replace(/[.+^$()|[\]\\]/g, '\\$&')
      .replace(/\*\*/g, '@GLOBSTAR@')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/@GLOBSTAR@/g, '.*');
    return new RegExp(`^${re}$`).test(path);
  });
}

export interface DirectoryRead {
  /** Rendered directories (`bootstrap`, `apps`, ...) whose manifests the source makes Argo CD apply. */
  readonly dirs: string[];
  readonly findings: string[];
}

/**
 * What a source of ours makes Argo CD read: the rendered directories whose `manifests.yaml` lies in its path
 * (or below it with `directory.recurse`) and passes `directory.include`/`exclude`.
 */
export function directoriesRead(app: K8sObject, source: Source, a: ScenarioArtifacts): DirectoryRead {
  const name = `Application ${app.metadata.name}`;
  const findings: string[] = [];
  const base = gitopsPath(a.stage.name);
  const present = Object.keys(a.manifests);
  if (source.targetRevision !== a.stage.gitops.targetRevision) {
    findings.push(
      `${name}: targetRevision ${source.targetRevision} is not the stage's revision ${a.stage.gitops.targetRevision}`,
    );
  }
  const path = posix.normalize(source.path ?? '.');
  const exists = path === base || present.some((dir) => path === `${base}/${dir}`);
  if (!exists) {
    findings.push(`${name}: path ${path} is not a directory of ${base}/ (it has ${present.join(', ')})`);
    return { dirs: [], findings };
  }
  const recurse = source.directory?.recurse === true;
  const dirs = present.filter((dir) => {
    const file = `${base}/${dir}/${RENDERED_FILE}`;
    const relative = posix.relative(path, file);
    if (relative.startsWith('..')) return false;
    if (!recurse && relative.includes('/')) return false;
    if (!MANIFEST_FILE.test(relative)) return false;
    const { include, exclude } = source.directory ?? {};
    if (include && !globMatches(include, relative)) return false;
    return !(exclude && globMatches(exclude, relative));
  });
  if (dirs.length === 0) {
    findings.push(
      `${name}: path ${path} holds no manifests Argo CD reads (directory.recurse ${recurse}${source.directory?.include ? `, include ${source.directory.include}` : ''}; the rendered files are ${base}/<dir>/${RENDERED_FILE})`,
    );
  }
  return { dirs, findings };
}

/** A manifest with what the CDK's kubectl provider adds for pruning stripped, for comparing. */
function canonical(o: unknown): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v)
        .filter(([k]) => !k.startsWith('aws.cdk.eks/prune-'))
        .map(([k, x]) => [k, strip(x)] as const)
        .filter(([, x]) => !(x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0))
        .sort(([x], [y]) => x.localeCompare(y));
      return Object.fromEntries(entries);
    }
    return v;
  };
  return JSON.stringify(strip(o));
}

const key = (o: K8sObject) =>
  `${o.apiVersion.split('/').slice(0, -1).join('/') || 'core'}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Check 1: unique Argo CD objects with one owner each, and a tree from the root reaching every directory once. */
export function checkGitOps(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const where = (f: string) => `${a.scenario.name}: ${f}`;
  // A folder whose objects the CDK app applies verbatim is the CDK's (the bootstrap): its rendered copy and the
  // applied one are one definition with one owner, as long as no Application syncs that folder too.
  const cdk = cdkManifests(a);
  const cdkApplied = new Set(cdk.map((m) => canonical(m.object)));
  const cdkDirs = Object.entries(a.manifests)
    .filter(([, objects]) => objects.length > 0 && objects.every((o) => cdkApplied.has(canonical(o))))
    .map(([dir]) => dir);
  const argo = argoObjects(a).filter(
    (x) =>
      !(x.origin.layer === 'dist' && cdkDirs.includes(x.origin.dir) && cdkApplied.has(canonical(x.object))),
  );

  // One definition and one owner per Argo CD object.
  const byKey = new Map<string, ArgoObject[]>();
  for (const x of argo) byKey.set(key(x.object), [...(byKey.get(key(x.object)) ?? []), x]);
  for (const [k, defs] of byKey) {
    if (defs.length > 1) {
      findings.push(
        where(
          `${k} is defined ${defs.length} times (${defs.map((d) => describeOrigin(d.origin)).join('; ')})`,
        ),
      );
    }
  }

  // Which directories each Application reads, and who puts each directory into the cluster.
  const owners = new Map<string, string[]>(Object.keys(a.manifests).map((d) => [d, []]));
  const reads = new Map<ArgoObject, string[]>();
  for (const x of argo) {
    if (x.object.kind !== 'Application') continue;
    const dirs: string[] = [];
    for (const source of sourcesOf(x.object)) {
      if (source.repoURL !== a.stage.gitops.repoUrl) continue;
      if (source.chart) continue;
      const read = directoriesRead(x.object, source, a);
      findings.push(...read.findings.map(where));
      dirs.push(...read.dirs);
    }
    reads.set(x, dirs);
  }
  for (const dir of cdkDirs) {
    const applied = cdk.filter((m) =>
      a.manifests[dir as ManifestDir].some((o) => canonical(o) === canonical(m.object)),
    );
    owners
      .get(dir)
      ?.push(`the CDK app (${[...new Set(applied.map((m) => describeOrigin(m.origin)))].join(', ')})`);
  }

  // The root: Applications the CDK applies. Exactly one, the bootstrap's.
  const roots = argo.filter((x) => x.origin.layer === 'cdk' && x.object.kind === 'Application');
  if (roots.length === 0) {
    findings.push(where('the CDK app applies no Application: nothing puts the root into the cluster'));
  } else if (roots.length > 1) {
    findings.push(
      where(
        `the CDK app applies ${roots.length} Applications (${roots.map((r) => r.object.metadata.name).join(', ')}); the root must have one owner`,
      ),
    );
  }
  const queue = [...roots];
  const seen = new Set<ArgoObject>();
  while (queue.length > 0) {
    const app = queue.shift()!;
    if (seen.has(app)) continue;
    seen.add(app);
    for (const dir of reads.get(app) ?? []) {
      owners.get(dir)?.push(`Application ${app.object.metadata.name}`);
      queue.push(
        ...argo.filter(
          (x) => x.origin.layer === 'dist' && x.origin.dir === dir && x.object.kind === 'Application',
        ),
      );
    }
  }
  // Applications nobody reaches still sync what they read once someone applies them: count them too, so a
  // directory read by a reachable and an unreachable Application is reported as read twice.
  for (const [x, dirs] of reads) {
    if (seen.has(x)) continue;
    for (const dir of dirs)
      owners.get(dir)?.push(`Application ${x.object.metadata.name} (not reached from the root)`);
  }
  for (const [dir, who] of owners) {
    const path = `${gitopsPath(a.stage.name)}/${dir}/`;
    const fromRoot = who.filter((w) => !w.endsWith('(not reached from the root)'));
    if (fromRoot.length === 0) {
      findings.push(
        where(
          `${path} is reached by nothing from the root${who.length ? ` (only by ${who.join(', ')})` : ''}`,
        ),
      );
    } else if (who.length > 1) {
      findings.push(where(`${path} is put into the cluster ${who.length} times: ${who.join('; ')}`));
    }
  }

  // Every rendered object once: no object in two directories, none twice in one.
  const objectDirs = new Map<string, string[]>();
  for (const [dir, objects] of Object.entries(a.manifests)) {
    for (const o of objects) objectDirs.set(key(o), [...(objectDirs.get(key(o)) ?? []), dir]);
  }
  for (const [k, dirs] of objectDirs) {
    if (dirs.length > 1) findings.push(where(`${k} is rendered ${dirs.length} times (${dirs.join(', ')})`));
  }
  return findings;
}
