import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@conduit/testing';
import { stringify } from 'yaml';
import type { Probed } from './container.js';
import type { Container, K8sObject, PodSpec } from './pod-spec.js';
import { cacheDir, podman, podmanLogs } from './podman.js';

/**
 * What `podman kube play` of Debian 12's podman (4.3) can be given from a rendered stage, and why the rest is
 * left out. It plays Pods, Deployments and PersistentVolumeClaims, reads ConfigMaps from the same file, and
 * resolves `secretKeyRef` against podman secrets.
 */
const DROPPED: Readonly<Record<string, string>> = {
  Job: 'podman 4.3 plays no Jobs; the PreSync migrate Job runs before the play with podman run, as Argo CD runs it before the sync',
  CronJob:
    'podman 4.3 plays no CronJobs; ops.test.ts and ops-backup.test.ts run their pod specs with podman run',
  Service: 'no cluster network: each played container port gets a hostPort on 127.0.0.1 instead',
  Ingress: 'no ingress controller',
  NetworkPolicy: 'no network policy engine in podman',
  HorizontalPodAutoscaler: 'no controllers: one replica per Deployment',
  PodDisruptionBudget: 'no controllers and no evictions',
  ServiceAccount: 'no API server; the pods mount no token (automountServiceAccountToken: false)',
  Role: 'no API server, so no RBAC: it grants CI read access to Rollouts (deploy/system checks it)',
  RoleBinding: 'no API server, so no RBAC: it binds the CI group to its Role (deploy/system checks it)',
  PriorityClass: 'no scheduler',
  Namespace: 'podman has no namespaces; pod names are unique on the machine',
  ExternalSecret: 'External Secrets is not here: its target Secret becomes a podman secret with test values',
  ClusterSecretStore: 'custom resource (External Secrets)',
  AnalysisTemplate: 'custom resource (Argo Rollouts analysis)',
  ServiceMonitor: 'custom resource (Prometheus Operator)',
  PrometheusRule: 'custom resource (Prometheus Operator)',
  Application: 'custom resource (Argo CD)',
};

export interface RehearsalOptions {
  /** Local image by ECR repository (`conduit/api` → `localhost/conduit/api:1.0.0`). */
  readonly images: Readonly<Record<string, string>>;
  /** Test values of the Secrets the pods reference, as `<secret>/<key>`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Only these workloads (Deployment or Rollout names); default all. */
  readonly only?: readonly string[];
}

/** A played container: how the host reaches its ports and what its probes are. */
export interface PlayedContainer extends Probed {
  readonly workload: string;
  /** podman's container name: `<workload>-pod-0-<container>`. */
  readonly name: string;
  readonly container: Container;
  /** Container ports by name, for named probe ports. */
  readonly ports: ReadonlyMap<string, number>;
}

export interface Rehearsal {
  /** The manifests podman is given: ConfigMaps and Deployments. */
  readonly objects: readonly Record<string, unknown>[];
  /** `<kind>/<name>: reason` of each object or container left out. */
  readonly dropped: readonly string[];
  readonly containers: readonly PlayedContainer[];
  /** Podman secrets to create before the play: name → key → value. */
  readonly secrets: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The podman volumes the emptyDirs become, removed before and after a play so each starts empty. */
  readonly volumes: readonly string[];
}

interface Workload {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: { selector: unknown; template: { metadata?: unknown; spec: PodSpec } };
}

/**
 * The stage's manifests as podman 4.3 can play them: each Rollout becomes a Deployment of the same pod
 * template (Argo Rollouts is not here, and the canary steps need it), one replica each; every image of ours
 * points at the local build; each container port gets a free hostPort on 127.0.0.1; ConfigMaps the pods
 * read stay as they are. The pod templates are otherwise untouched, so a typo in them plays as it is.
 */
export async function rehearsal(
  objects: readonly K8sObject[],
  options: RehearsalOptions,
): Promise<Rehearsal> {
  const dropped: string[] = [];
  const played: Record<string, unknown>[] = [];
  const containers: PlayedContainer[] = [];
  const volumeNames: string[] = [];
  const workloads = objects.filter(
    (o) =>
      (o.kind === 'Rollout' || o.kind === 'Deployment') &&
      (!options.only || options.only.includes(o.metadata.name)),
  );
  for (const object of workloads) {
    const source = structuredClone(object) as unknown as Workload;
    const name = source.metadata.name;
    const pod = source.spec.template.spec;
    const kept: Container[] = [];
    for (const container of pod.containers) {
      const repository = /\/(conduit\/[a-z-]+):/.exec(container.image)?.[1];
      const image = repository && options.images[repository];
      if (!image) {
        dropped.push(
          `${object.kind}/${name} container ${container.name} (${container.image}): not built here, and no registry but npm's and Debian's can be reached`,
        );
        continue;
      }
      const ports = await Promise.all(
        (container.ports ?? []).map(async (p) => ({ ...p, hostIP: '127.0.0.1', hostPort: await freePort() })),
      );
      kept.push({ ...container, image, ports });
      const podmanName = `${name}-pod-0-${container.name}`;
      const hostPort = new Map(ports.map((p) => [p.containerPort, p.hostPort]));
      containers.push({
        workload: name,
        name: podmanName,
        container: { ...container, ports },
        ports: new Map(ports.filter((p) => p.name).map((p) => [p.name!, p.containerPort])),
        url(containerPort) {
          const host = hostPort.get(containerPort);
          if (host === undefined)
            throw new Error(`${podmanName} declares no container port ${containerPort}`);
          return `http://127.0.0.1:${host}`;
        },
        logs: () => podmanLogs(podmanName).catch((e: Error) => `(no logs: ${e.message})`),
      });
    }
    // podman 4.3 makes each emptyDir a named volume called as the pod's volume, shared by every pod that
    // uses the name (and chowned to the first one's user): the names get the workload as a prefix, in the
    // volumes and in the mounts alike, so a mount that names no volume still names none.
    const local = (volume: string) => `${name}-${volume}`;
    // podman 4.3 dereferences a secret volume's `optional` without a nil check (it panics): say it.
    const volumes = (pod.volumes ?? []).map((v) =>
      v.secret
        ? { ...v, name: local(v.name), secret: { optional: false, ...v.secret } }
        : { ...v, name: local(v.name) },
    );
    volumeNames.push(...volumes.map((v) => v.name));
    played.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: source.metadata.labels },
      spec: {
        replicas: 1,
        selector: source.spec.selector,
        template: {
          ...source.spec.template,
          spec: {
            ...pod,
            volumes,
            containers: kept.map((c) => ({
              ...c,
              volumeMounts: c.volumeMounts?.map((m) => ({ ...m, name: local(m.name) })),
            })),
          },
        },
      },
    });
    if (object.kind === 'Rollout')
      dropped.push(`Rollout/${name}: played as a Deployment of the same pod template`);
  }

  // The ConfigMaps the played pods read; each Secret they reference, with its test values.
  const configMaps = new Set<string>();
  const secrets = new Map<string, Record<string, string>>();
  const needSecret = (name: string, key: string) => {
    const value = options.secrets[`${name}/${key}`];
    if (value === undefined) throw new Error(`no test value for secret ${name}/${key}`);
    secrets.set(name, { ...secrets.get(name), [key]: value });
  };
  for (const object of played) {
    const pod = (
      object.spec as {
        template: { spec: { volumes?: { secret?: { secretName?: string; items?: { key: string }[] } }[] } };
      }
    ).template.spec;
    for (const volume of pod.volumes ?? []) {
      if (volume.secret?.secretName)
        for (const item of volume.secret.items ?? []) needSecret(volume.secret.secretName, item.key);
    }
  }
  for (const container of containers.map((c) => c.container)) {
    for (const from of container.envFrom ?? []) if (from.configMapRef) configMaps.add(from.configMapRef.name);
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) needSecret(ref.name, ref.key);
      if (variable.valueFrom?.configMapKeyRef) configMaps.add(variable.valueFrom.configMapKeyRef.name);
    }
  }
  for (const object of objects) {
    if (object.kind === 'ConfigMap' && configMaps.has(object.metadata.name)) {
      played.unshift({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: object.metadata.name },
        data: object.data,
      });
    } else if (object.kind === 'ConfigMap') {
      dropped.push(`ConfigMap/${object.metadata.name}: read by no played pod`);
    } else if (object.kind !== 'Rollout' && object.kind !== 'Deployment') {
      const reason = DROPPED[object.kind];
      if (!reason)
        throw new Error(`${object.kind}/${object.metadata.name}: the rehearsal does not know this kind`);
      dropped.push(`${object.kind}/${object.metadata.name}: ${reason}`);
    }
  }
  return { objects: played, dropped, containers, secrets, volumes: volumeNames };
}

type SecretVolume = {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
};

/**
 * podman 4.3 cannot play a Secret volume (it panics on one; a key's `items` path it never projects), so each
 * becomes a read-only host folder holding the same files (each item's key at its path, test values), mounted
 * where the pod spec mounts the volume. The files are world-readable: podman has no fsGroup to give the
 * container's group the 0440 the kubelet would.
 */
async function secretVolumesAsFolders(
  rehearsed: Rehearsal,
  dir: string,
): Promise<Rehearsal['objects'][number][]> {
  const out: Rehearsal['objects'][number][] = [];
  for (const object of rehearsed.objects) {
    const spec = (object.spec as { template?: { spec?: { volumes?: SecretVolume[] } } } | undefined)?.template
      ?.spec;
    if (!spec?.volumes?.some((v) => v.secret)) {
      out.push(object);
      continue;
    }
    const volumes = [];
    for (const volume of spec.volumes) {
      if (!volume.secret) {
        volumes.push(volume);
        continue;
      }
      const folder = join(dir, `secret-${volume.name}`);
      await mkdir(folder, { mode: 0o755 });
      await chmod(folder, 0o755);
      const data = rehearsed.secrets.get(volume.secret.secretName) ?? {};
      for (const item of volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
        const value = data[item.key];
        if (value === undefined)
          throw new Error(`no test value for secret ${volume.secret.secretName}/${item.key}`);
        await writeFile(join(folder, item.path), value, { mode: 0o444 });
      }
      volumes.push({ name: volume.name, hostPath: { path: folder, type: 'Directory' } });
    }
    const template = (object.spec as { template: { spec: object } }).template;
    out.push({
      ...object,
      spec: { ...(object.spec as object), template: { ...template, spec: { ...spec, volumes } } },
    });
  }
  return out;
}

/** A rehearsal being played; `down()` removes its pods, volumes and secrets. */
export interface Play {
  readonly file: string;
  /** What `podman kube play` printed. */
  readonly output: string;
  down(): Promise<void>;
}

/**
 * `podman kube play` of the rehearsal, with the pods on slirp4netns so the host's loopback (the test
 * PostgreSQL) is 10.0.2.2, as in the rest of the suite. podman 4.3 reads a Secret in the played file into a
 * podman secret it cannot read back (it stores the YAML and parses JSON), so the Secrets are created with
 * `podman secret create` in the form it reads: a JSON map of base64 values.
 */
export async function play(rehearsed: Rehearsal): Promise<Play> {
  const dir = await mkdtemp(join(cacheDir, 'kube-play-'));
  const file = join(dir, 'stage.yaml');
  const objects = await secretVolumesAsFolders(rehearsed, dir);
  await writeFile(file, objects.map((o) => stringify(o)).join('---\n'));
  const secretNames = [...rehearsed.secrets.keys()];
  const removeVolumes = () =>
    Promise.all(rehearsed.volumes.map((name) => podman(['volume', 'rm', '--force', name]).catch(() => {})));
  const down = async () => {
    await podman(['kube', 'down', file], { timeoutMs: 120_000 }).catch(() => {});
    await Promise.all(secretNames.map((name) => podman(['secret', 'rm', name]).catch(() => {})));
    await removeVolumes();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await removeVolumes();
    for (const [name, data] of rehearsed.secrets) {
      const encoded = Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      );
      await podman(['secret', 'rm', name]).catch(() => {});
      const json = join(dir, `${name}.json`);
      await writeFile(json, JSON.stringify(encoded), { mode: 0o600 });
      await podman(['secret', 'create', name, json]);
      await rm(json);
    }
    const output = await podman(
      ['kube', 'play', '--replace', '--network=slirp4netns:allow_host_loopback=true', file],
      { timeoutMs: 120_000 },
    );
    return { file, output, down };
  } catch (error) {
    await down();
    throw error;
  }
}
