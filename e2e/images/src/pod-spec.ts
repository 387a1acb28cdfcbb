import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './podman.js';

/** The parts of a rendered Kubernetes object this suite reads. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
  readonly data?: Readonly<Record<string, string>>;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}

export interface HttpProbe {
  readonly httpGet: { readonly path: string; readonly port: number | string };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

interface SecurityContext {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string } }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly livenessProbe?: HttpProbe;
  readonly readinessProbe?: HttpProbe;
  readonly startupProbe?: HttpProbe;
  readonly lifecycle?: { readonly preStop?: { readonly sleep?: { readonly seconds: number } } };
  readonly resources?: { readonly limits?: { readonly cpu?: string; readonly memory?: string } };
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
    readonly subPath?: string;
  }[];
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly securityContext?: SecurityContext;
  readonly terminationGracePeriodSeconds?: number;
  readonly volumes?: readonly {
    readonly name: string;
    readonly emptyDir?: { readonly sizeLimit?: string };
    readonly secret?: {
      readonly secretName: string;
      readonly items?: readonly { readonly key: string; readonly path: string }[];
    };
  }[];
}

/** Every object rendered for a stage (`deploy/k8s/dist/<stage>/<app>/*.yaml`). */
export async function renderedObjects(stage: string): Promise<K8sObject[]> {
  const dir = join(repoRoot, 'deploy/k8s/dist', stage);
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0)
    throw new Error(`no rendered manifests under ${dir} (npm run synth -w @conduit/k8s)`);
  const objects: K8sObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as K8sObject | null;
      if (object) objects.push(object);
    }
  }
  return objects;
}

/** The pod template of a Rollout, Deployment, Job or CronJob. */
export function podSpecOf(object: K8sObject): PodSpec {
  interface Template {
    readonly template?: { readonly spec?: PodSpec };
    readonly jobTemplate?: { readonly spec?: Template };
  }
  const spec = object.spec as Template | undefined;
  const pod = object.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
  if (!pod) throw new Error(`${object.kind}/${object.metadata.name} has no pod template`);
  return pod as PodSpec;
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return found;
}

/** Kubernetes quantities to podman's: `256Mi` → `256m`, `500m` CPU → `0.5`. */
export function memoryFlag(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`memory limit "${quantity}" is not a quantity this suite translates`);
  return `${match[1]}${{ Ki: 'k', Mi: 'm', Gi: 'g', '': 'b' }[match[2] ?? '']}`;
}
export function cpuFlag(quantity: string): string {
  const match = /^(\d+)(m)?$/.exec(quantity);
  if (!match) throw new Error(`cpu limit "${quantity}" is not a quantity this suite translates`);
  return String(match[2] ? Number(match[1]) / 1000 : Number(match[1]));
}

export interface RunPlan {
  /** `podman run` flags, without the image and its arguments. */
  readonly flags: readonly string[];
  /** Arguments after the image (the container's `args`). */
  readonly args: readonly string[];
  /** Container ports by name (`http` → 3000), for named probe ports. */
  readonly ports: ReadonlyMap<string, number>;
  readonly container: Container;
  readonly pod: PodSpec;
}

export interface PlanOptions {
  /** Values of `secretKeyRef`s as `<secret>/<key>` (test values; secrets are never rendered). */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The image's configured user (`podman image inspect`), checked against the pod's security context. */
  readonly imageUser: string;
}

/**
 * Translates one container of a rendered pod spec into `podman run` flags, as the kubelet would run it:
 * user and group, read-only root with a tmpfs exactly at each emptyDir mount (empty, as an emptyDir starts),
 * dropped capabilities, no privilege escalation, memory and CPU limits, the environment from `env` and the
 * referenced ConfigMaps, and the stop timeout. Anything it does not know how to translate is an error, so
 * a new field in the manifests cannot be silently left out.
 */
/**
 * The test values of the `conduit-db` Secret for a database URL: the URL and, as the ExternalSecret
 * renders it beside the URL, the password the pods read from their mounted file.
 */
export function databaseSecrets(databaseUrl: string): Record<string, string> {
  return {
    'conduit-db/DATABASE_URL': databaseUrl,
    'conduit-db/password': decodeURIComponent(new URL(databaseUrl).password),
  };
}

export function podmanPlan(
  objects: readonly K8sObject[],
  pod: PodSpec,
  containerName: string,
  { secrets = {}, imageUser }: PlanOptions,
): RunPlan {
  const container = pod.containers.find((c) => c.name === containerName);
  if (!container) throw new Error(`the pod has no container "${containerName}"`);
  const security = { ...pod.securityContext, ...container.securityContext };
  const flags: string[] = ['--pull=never'];

  // runAsUser/runAsGroup override the image's USER; the kubelet refuses a root user under runAsNonRoot.
  const [imageUid, imageGid] = imageUser.split(':');
  const uid = security.runAsUser ?? (imageUid ? Number(imageUid) : 0);
  const gid = security.runAsGroup ?? (imageGid ? Number(imageGid) : uid);
  if (security.runAsNonRoot && (!Number.isInteger(uid) || uid === 0)) {
    throw new Error(
      `runAsNonRoot: the container would run as "${imageUser || 'root'}", which the kubelet refuses (CreateContainerConfigError)`,
    );
  }
  // The image is built for the user the cluster runs it as: its HEALTHCHECK, file modes and passwd entry
  // are tested for that user, so a USER that drifts from the manifest is an error here.
  if (imageUser !== `${uid}:${gid}`) {
    throw new Error(
      `image USER ${imageUser || '(none, root)'} is not the pod's runAsUser:runAsGroup ${uid}:${gid}`,
    );
  }
  flags.push(`--user=${uid}:${gid}`);

  if (security.readOnlyRootFilesystem) flags.push('--read-only', '--read-only-tmpfs=false');
  if (security.allowPrivilegeEscalation === false) flags.push('--security-opt=no-new-privileges');
  for (const cap of security.capabilities?.drop ?? []) flags.push(`--cap-drop=${cap.toLowerCase()}`);
  for (const cap of security.capabilities?.add ?? []) flags.push(`--cap-add=${cap.toLowerCase()}`);

  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume)
      throw new Error(`volumeMount "${mount.name}" at ${mount.mountPath} names no volume of the pod`);
    if (mount.subPath)
      throw new Error(`volumeMount "${mount.name}" uses subPath, which this suite does not translate`);
    if (volume.secret) {
      flags.push(`--mount=${secretMount(volume.secret, mount, secrets)}`);
      continue;
    }
    if (!volume.emptyDir)
      throw new Error(
        `volume "${mount.name}" is not an emptyDir or a secret; this suite translates only those`,
      );
    const size = volume.emptyDir.sizeLimit ? `,tmpfs-size=${memoryFlag(volume.emptyDir.sizeLimit)}` : '';
    flags.push(`--mount=type=tmpfs,destination=${mount.mountPath},tmpfs-mode=1777,notmpcopyup${size}`);
  }

  const limits = container.resources?.limits ?? {};
  if (limits.memory) flags.push(`--memory=${memoryFlag(limits.memory)}`);
  if (limits.cpu) flags.push(`--cpus=${cpuFlag(limits.cpu)}`);
  if (pod.terminationGracePeriodSeconds !== undefined) {
    flags.push(`--stop-timeout=${pod.terminationGracePeriodSeconds}`);
  }

  const configMap = (name: string) => {
    const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!found) throw new Error(`ConfigMap "${name}" is referenced by the pod but not rendered`);
    return found.data ?? {};
  };
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    if (!from.configMapRef) throw new Error('envFrom other than configMapRef is not translated');
    for (const [key, value] of Object.entries(configMap(from.configMapRef.name))) env.set(key, value);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const mapKey = variable.valueFrom?.configMapKeyRef;
    if (variable.value !== undefined) env.set(variable.name, variable.value);
    else if (secret) {
      const value = secrets[`${secret.name}/${secret.key}`];
      if (value === undefined)
        throw new Error(`no test value for secret ${secret.name}/${secret.key} (${variable.name})`);
      env.set(variable.name, value);
    } else if (mapKey) {
      const value = configMap(mapKey.name)[mapKey.key];
      if (value === undefined) throw new Error(`ConfigMap ${mapKey.name} has no key ${mapKey.key}`);
      env.set(variable.name, value);
    } else
      throw new Error(`env ${variable.name}: only value, secretKeyRef and configMapKeyRef are translated`);
  }
  for (const [key, value] of env) flags.push(`--env=${key}=${value}`);

  if (container.command) flags.push(`--entrypoint=${JSON.stringify(container.command)}`);
  const ports = new Map<string, number>();
  for (const port of container.ports ?? []) if (port.name) ports.set(port.name, port.containerPort);
  return { flags, args: container.args ?? [], ports, container, pod };
}

/**
 * A secret volume as the kubelet fills it: one file per listed item, holding the test value of
 * `<secret>/<key>`, in a folder bind-mounted at the mount path. World-readable on the host, because a
 * rootless podman cannot give the files the pod's fsGroup; read-only in the container, as the manifest says.
 */
function secretMount(
  secret: {
    readonly secretName: string;
    readonly items?: readonly { readonly key: string; readonly path: string }[];
  },
  mount: { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean },
  secrets: Readonly<Record<string, string>>,
): string {
  if (!secret.items?.length)
    throw new Error(`secret volume "${mount.name}" lists no items; this suite translates only listed keys`);
  const dir = mkdtempSync(join(tmpdir(), 'conduit-secret-volume-'));
  chmodSync(dir, 0o755);
  for (const { key, path } of secret.items) {
    const value = secrets[`${secret.secretName}/${key}`];
    if (value === undefined)
      throw new Error(`no test value for secret ${secret.secretName}/${key} (volume ${mount.name})`);
    writeFileSync(join(dir, path), value, { mode: 0o444 });
  }
  return `type=bind,source=${dir},destination=${mount.mountPath}${mount.readOnly ? ',ro=true' : ''}`;
}

/** The container port a probe targets (a number, or the name of one of the container's ports). */
export function probePort(plan: Pick<RunPlan, 'ports'>, probe: HttpProbe): number {
  const { port } = probe.httpGet;
  if (typeof port === 'number') return port;
  const number = plan.ports.get(port);
  if (number === undefined)
    throw new Error(`probe ${probe.httpGet.path} names port "${port}", which the container does not declare`);
  return number;
}
