import { PERSON_CREATED_SECRETS } from '@conduit/platform';
import type { CfnResource, CfnTemplate, K8sObject, ScenarioArtifacts } from './artifacts.js';
import { allManifests } from './artifacts.js';
import { resolveString, resourceStrings } from './cfn-values.js';
import { accountsOf, type ServiceAccountRef } from './identities.js';

/**
 * Secrets: every remote key an ExternalSecret reads is a Secrets Manager secret deploy/aws creates, or one a
 * person creates from the documented list (`PERSON_CREATED_SECRETS`, docs/operations.md); the store reads it
 * from Secrets Manager in the stage's region; and the External Secrets controller's role may read it.
 */

interface RemoteRef {
  readonly externalSecret: string;
  readonly key: string;
  readonly store: string;
}

/** The remote keys of every ExternalSecret (`data[].remoteRef.key`, `dataFrom[].extract.key`). */
export function remoteRefs(objects: readonly K8sObject[]): RemoteRef[] {
  return objects
    .filter((o) => o.kind === 'ExternalSecret')
    .flatMap((o) => {
      const spec = o.spec as {
        secretStoreRef?: { name?: string };
        data?: { remoteRef?: { key?: string } }[];
        dataFrom?: { extract?: { key?: string } }[];
      };
      const keys = [
        ...(spec.data ?? []).map((d) => d.remoteRef?.key),
        ...(spec.dataFrom ?? []).map((d) => d.extract?.key),
      ].filter((k): k is string => typeof k === 'string');
      return [...new Set(keys)].map((key) => ({
        externalSecret: `${o.metadata.namespace}/${o.metadata.name}`,
        key,
        store: spec.secretStoreRef?.name ?? '',
      }));
    });
}

/** Names of the secrets the CDK app creates: `AWS::SecretsManager::Secret` (the RDS credentials included). */
export function cdkSecretNames(a: ScenarioArtifacts): string[] {
  return resourceStrings(a, 'AWS::SecretsManager::Secret', 'Name');
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** IAM's wildcard match (`*` any run, `?` one character), case-sensitive as for ARNs. */
export function iamMatches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^$()|[\]\\{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

/** The logical id of the role a service account assumes (Pod Identity association or IRSA trust). */
export function roleOf(a: ScenarioArtifacts, account: ServiceAccountRef): string | undefined {
  return accountsOf(a).find((x) => x.namespace === account.namespace && x.name === account.name)?.roleId;
}

/** Allow statements of every policy attached to a role (inline `Policies` and `AWS::IAM::Policy`). */
export function roleStatements(t: CfnTemplate, roleId: string): Statement[] {
  const role = t.Resources[roleId] as CfnResource | undefined;
  const inline = (
    (role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
  ).flatMap((p) => p.PolicyDocument.Statement);
  const attached = Object.values(t.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        ((r.Properties?.Roles ?? []) as unknown[]).some(
          (x) => JSON.stringify(x) === JSON.stringify({ Ref: roleId }),
        ),
    )
    .flatMap(
      (r) => (r.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
  return [...inline, ...attached];
}

/** Whether the statements allow an action on an ARN. */
export function allows(
  statements: readonly Statement[],
  action: string,
  arn: string,
  t: CfnTemplate,
  a: ScenarioArtifacts,
): boolean {
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((x) => iamMatches(String(x), action)) &&
      list(s.Resource).some((r) => iamMatches(resolveString(r, t, a), arn)),
  );
}

/** Check 2a: every ExternalSecret's remote key exists (CDK or person), in the store's region, readable. */
export function checkSecrets(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const where = (f: string) => `${a.scenario.name}: ${f}`;
  const objects = allManifests(a);
  const created = new Set(cdkSecretNames(a));
  const byPerson = new Set(PERSON_CREATED_SECRETS.map((s) => s.name(a.stage.name)));
  const stores = objects.filter((o) => o.kind === 'ClusterSecretStore' || o.kind === 'SecretStore');
  const cluster = a.templates.Cluster;
  // The controller that reads the secrets: the store's own JWT service account, else the controller's.
  const refs = remoteRefs(objects);
  for (const ref of refs) {
    const what = `ExternalSecret ${ref.externalSecret} reads ${ref.key}`;
    if (!created.has(ref.key) && !byPerson.has(ref.key)) {
      findings.push(
        where(
          `${what}, which the CDK app does not create and PERSON_CREATED_SECRETS (docs/operations.md) does not list`,
        ),
      );
    }
    const store = stores.find((s) => s.metadata.name === ref.store);
    const aws = (store?.spec as { provider?: { aws?: Record<string, unknown> } } | undefined)?.provider?.aws;
    if (!store || !aws) {
      findings.push(where(`${what} through store ${ref.store}, which is not an AWS store in the manifests`));
      continue;
    }
    if (aws.service !== 'SecretsManager' || aws.region !== a.stage.region) {
      findings.push(
        where(
          `${what} through ${ref.store}: ${aws.service} in ${aws.region}, not SecretsManager in ${a.stage.region}`,
        ),
      );
    }
    const jwt = (
      aws.auth as { jwt?: { serviceAccountRef?: { name: string; namespace?: string } } } | undefined
    )?.jwt;
    const reader = jwt?.serviceAccountRef
      ? { namespace: jwt.serviceAccountRef.namespace ?? '', name: jwt.serviceAccountRef.name }
      : externalSecretsController(a);
    if (!cluster || !reader) {
      findings.push(where(`${what}: no External Secrets controller service account found`));
      continue;
    }
    const roleId = roleOf(a, reader);
    const arn = `arn:aws:secretsmanager:${a.stage.region}:${a.stage.account}:secret:${ref.key}-AbCdEf`;
    if (!roleId) {
      findings.push(
        where(`${what}, but ${reader.namespace}/${reader.name} has no role in the Cluster stack`),
      );
    } else if (!allows(roleStatements(cluster, roleId), 'secretsmanager:GetSecretValue', arn, cluster, a)) {
      findings.push(
        where(
          `${what}, but the role ${roleId} of ${reader.namespace}/${reader.name} may not secretsmanager:GetSecretValue it`,
        ),
      );
    }
  }
  return findings;
}

/** The service account of the External Secrets controller: its Helm release's, as rendered or installed. */
export function externalSecretsController(a: ScenarioArtifacts): ServiceAccountRef | undefined {
  return accountsOf(a).find((x) => x.layers.includes('kubernetes') && x.chart === 'external-secrets');
}

/** Where the Prometheus Operator mounts each of `alertmanagerSpec.secrets` (its documented behaviour). */
const ALERTMANAGER_SECRET_MOUNT = /^\/etc\/alertmanager\/secrets\/([^/]+)\/([^/]+)$/;

interface SecretUse {
  readonly app: string;
  readonly namespace: string;
  readonly secret: string;
  readonly keys: Set<string>;
}

/**
 * The Kubernetes Secrets the Helm values of our Applications read: `existingSecret` (with its sibling `*Key`
 * fields as keys), `alertmanagerSpec.secrets`, and the files of those mounts that receivers read (`*_file`).
 */
export function helmSecretUses(objects: readonly K8sObject[]): SecretUse[] {
  const uses = new Map<string, SecretUse>();
  const use = (app: string, namespace: string, secret: string, key?: string) => {
    const k = `${namespace}/${secret}`;
    if (!uses.has(k)) uses.set(k, { app, namespace, secret, keys: new Set() });
    if (key) uses.get(k)!.keys.add(key);
  };
  for (const o of objects) {
    if (o.kind !== 'Application') continue;
    const spec = o.spec as {
      source?: { helm?: { valuesObject?: unknown } };
      destination?: { namespace?: string };
    };
    const ns = spec.destination?.namespace ?? 'default';
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const entries = Object.entries(v);
        for (const [k, x] of entries) {
          if (k === 'existingSecret' && typeof x === 'string' && x) {
            use(o.metadata.name, ns, x);
            for (const [sk, sx] of entries)
              if (/Key$/.test(sk) && typeof sx === 'string') use(o.metadata.name, ns, x, sx);
          } else if (k === 'alertmanagerSpec' && x && typeof x === 'object') {
            for (const s of (x as { secrets?: string[] }).secrets ?? []) use(o.metadata.name, ns, s);
            walk(x);
          } else if (k.endsWith('_file') && typeof x === 'string') {
            const m = ALERTMANAGER_SECRET_MOUNT.exec(x);
            if (m) use(o.metadata.name, ns, m[1]!, m[2]!);
          } else walk(x);
        }
      }
    };
    walk(spec.source?.helm?.valuesObject);
  }
  return [...uses.values()];
}

/** The JSON keys a CDK-generated secret holds: its `SecretStringTemplate` keys plus `GenerateStringKey`. */
function cdkSecretKeys(a: ScenarioArtifacts, name: string): Set<string> | undefined {
  for (const t of Object.values(a.templates)) {
    for (const r of Object.values(t?.Resources ?? {})) {
      if (r.Type !== 'AWS::SecretsManager::Secret' || !t || resolveString(r.Properties?.Name, t, a) !== name)
        continue;
      const g = r.Properties?.GenerateSecretString as
        | { SecretStringTemplate?: string; GenerateStringKey?: string }
        | undefined;
      if (!g?.GenerateStringKey) return undefined;
      return new Set([...Object.keys(JSON.parse(g.SecretStringTemplate ?? '{}')), g.GenerateStringKey]);
    }
  }
  return undefined;
}

/**
 * Check 2c: every Secret the monitoring stack's Helm values read is produced by an ExternalSecret of its
 * namespace, with every key it reads present in the remote secret (declared by a person or generated by CDK).
 */
export function checkSecretUses(a: ScenarioArtifacts): string[] {
  const findings: string[] = [];
  const objects = allManifests(a);
  const externalSecrets = objects.filter((o) => o.kind === 'ExternalSecret');
  for (const u of helmSecretUses(objects)) {
    const what = `${a.scenario.name}: Application ${u.app} reads Secret ${u.namespace}/${u.secret}`;
    const es = externalSecrets.find(
      (o) =>
        o.metadata.namespace === u.namespace &&
        ((o.spec as { target?: { name?: string } }).target?.name ?? o.metadata.name) === u.secret,
    );
    const rendered = objects.some(
      (o) => o.kind === 'Secret' && o.metadata.namespace === u.namespace && o.metadata.name === u.secret,
    );
    if (!es) {
      if (!rendered) findings.push(`${what}, which no ExternalSecret produces`);
      continue;
    }
    const spec = es.spec as {
      data?: { secretKey: string }[];
      dataFrom?: { extract?: { key?: string } }[];
      target?: { template?: { data?: Record<string, string> } };
    };
    const keys = new Set([
      ...(spec.data ?? []).map((d) => d.secretKey),
      ...Object.keys(spec.target?.template?.data ?? {}),
    ]);
    for (const d of spec.dataFrom ?? []) {
      const remote = d.extract?.key;
      if (!remote) continue;
      const person = PERSON_CREATED_SECRETS.find((s) => s.name(a.stage.name) === remote);
      const remoteKeys = person ? new Set(Object.keys(person.keys)) : cdkSecretKeys(a, remote);
      if (!remoteKeys) {
        findings.push(
          `${what}, extracted from ${remote}, whose keys neither the CDK app nor a declaration states`,
        );
        continue;
      }
      for (const k of remoteKeys) keys.add(k);
    }
    for (const k of u.keys) {
      if (!keys.has(k))
        findings.push(`${what} key ${k}, which ExternalSecret ${es.metadata.name} does not provide`);
    }
  }
  return findings;
}
