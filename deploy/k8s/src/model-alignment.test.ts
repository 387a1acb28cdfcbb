import {
  clusterName,
  databaseSecretName,
  irsaRoleArn,
  jwtSecretName,
  SCENARIOS,
  SERVICE_ACCOUNTS,
  STAGE_NAMES,
  STAGES,
  scenarioStage,
  workloadServiceAccount,
} from '@conduit/platform';
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { RDS_DATABASE_URL_TEMPLATE } from './constructs/secrets.js';
import { ROLE_ARN_ANNOTATION } from './identities/irsa.js';
import { renderStage } from './render.js';
import { renderSettings } from './stages/index.js';
import { find, one, renderedCases } from './test/objects.js';

type Json = Record<string, unknown>;

/**
 * What is rendered for each stage matches the platform model deploy/aws builds from: the names both sides
 * use come from the model, and these tests follow them into the rendered objects.
 */
describe('every stage renders what the platform model says it runs', () => {
  it.each(STAGE_NAMES)('%s: the router, database and secret store modules of the model', (name) => {
    const s = renderSettings(name);
    const { options } = STAGES[name];
    expect([s.router.kind, s.database.kind, s.secrets.kind]).toEqual([
      options.router,
      options.database,
      options.secretStore,
    ]);
    expect(s.aws).toEqual({ clusterName: clusterName(name), region: STAGES[name].region });
    const all = Object.values(renderStage(s)).flat();
    expect(find(all, 'ExternalSecret', 'conduit-db')).toHaveLength(1);
  });

  it.each(STAGE_NAMES)('%s: the Ingress host is the CloudFront origin name origin.<domain>', (name) => {
    const ingress = one(
      Object.values(renderStage(renderSettings(name))).flat(),
      'Ingress',
      'conduit',
    ) as unknown as {
      spec: { rules: { host: string }[] };
    };
    expect(ingress.spec.rules.map((r) => r.host)).toEqual([`origin.${STAGES[name].edge.domainName}`]);
  });

  it.each(STAGE_NAMES)(
    '%s: the JWT and database ExternalSecrets read the secrets the model names',
    (name) => {
      type ExternalSecret = {
        spec: { data: { remoteRef: { key: string } }[] };
      };
      const all = Object.values(renderStage(renderSettings(name))).flat();
      const keys = (secret: string) =>
        new Set(
          (one(all, 'ExternalSecret', secret) as unknown as ExternalSecret).spec.data.map(
            (d) => d.remoteRef.key,
          ),
        );
      expect([...keys('conduit-jwt')]).toEqual([jwtSecretName(name)]);
      expect([...keys('conduit-db')]).toEqual([databaseSecretName(name)]);
    },
  );

  it.each(STAGE_NAMES)(
    '%s: DATABASE_URL is built from every field of the database secret, nothing hand-copied',
    (name) => {
      const es = one(
        Object.values(renderStage(renderSettings(name))).flat(),
        'ExternalSecret',
        'conduit-db',
      ) as unknown as {
        spec: {
          data: { secretKey: string; remoteRef: { key: string; property: string } }[];
          target: { template: { engineVersion: string; data: Record<string, string> } };
        };
      };
      expect(es.spec.data).toEqual(
        ['username', 'password', 'host', 'port', 'dbname'].map((k) => ({
          secretKey: k,
          remoteRef: { key: databaseSecretName(name), property: k },
        })),
      );
      expect(es.spec.target.template).toEqual({
        engineVersion: 'v2',
        data: {
          DATABASE_URL:
            'postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full',
          // The password alone, mounted as a file so a rotation reaches running pods (database-password.test.ts).
          password: '{{ .password }}',
        },
      });
    },
  );

  it('a URL rendered from that template is what node-postgres parses back (password with reserved characters)', () => {
    // Go's urlquery escapes like encodeURIComponent for the characters Secrets Manager may generate
    // (deploy/aws excludes space, % + ~ and the other characters RDS refuses).
    const password = 'a,b=c^d-e_f.g';
    const url = RDS_DATABASE_URL_TEMPLATE.replace('{{ .username | urlquery }}', 'conduit')
      .replace('{{ .password | urlquery }}', encodeURIComponent(password))
      .replace('{{ .host }}', 'conduit-prod.abc.us-east-1.rds.amazonaws.com')
      .replace('{{ .port }}', '5432')
      .replace('{{ .dbname }}', 'conduit');
    expect(url).not.toContain('{{');
    expect(parse(url)).toMatchObject({
      user: 'conduit',
      password,
      host: 'conduit-prod.abc.us-east-1.rds.amazonaws.com',
      port: '5432',
      database: 'conduit',
      sslmode: 'verify-full',
    });
  });

  it.each(renderedCases().map((c) => [c.name, c] as const))(
    'scenario %s: renders the router and workload identity its options select',
    (name, c) => {
      const { options } = scenarioStage(SCENARIOS.find((s) => s.name === name)!);
      expect([c.settings.router.kind, c.settings.identity.kind]).toEqual([
        options.router,
        options.workloadIdentity,
      ]);
      const ingressClasses = new Set(find(c.all, 'Ingress').map((i) => (i.spec as Json).ingressClassName));
      expect([...ingressClasses]).toEqual([options.router]);
    },
  );
});

/** Helm values name a chart's ServiceAccount as `serviceAccount.name`, at the top or under a subchart. */
function named(values: unknown): string[] {
  if (typeof values !== 'object' || values === null) return [];
  const v = values as Record<string, unknown>;
  const own = (v.serviceAccount as { name?: unknown } | undefined)?.name;
  return [
    ...(typeof own === 'string' ? [own] : []),
    ...Object.entries(v)
      .filter(([key]) => key !== 'serviceAccount')
      .flatMap(([, child]) => named(child)),
  ];
}

describe('ServiceAccounts match the Pod Identity associations deploy/aws creates (SERVICE_ACCOUNTS)', () => {
  const accounts = Object.entries(SERVICE_ACCOUNTS).map(([key, sa]) => ({ key, ...sa }));
  // deploy/aws installs these itself (Karpenter and Load Balancer Controller charts, EKS add-on).
  const installedByAws = ['karpenter', 'ebsCsi', 'loadBalancerController'];

  it.each(STAGE_NAMES)(
    '%s: every association names a ServiceAccount rendered here, in its namespace',
    (name) => {
      const dirs = renderStage(renderSettings(name));
      const all = Object.values(dirs).flat();
      type App = {
        spec: {
          destination: { namespace: string };
          source: { helm?: { valuesObject?: Record<string, unknown> } };
        };
      };
      const serviceAccounts = new Set(
        find(all, 'ServiceAccount').map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`),
      );
      for (const app of find(dirs.apps, 'Application') as unknown as App[]) {
        for (const sa of named(app.spec.source.helm?.valuesObject)) {
          serviceAccounts.add(`${app.spec.destination.namespace}/${sa}`);
        }
      }
      const missing = accounts
        .filter((a) => !installedByAws.includes(a.key))
        .map((a) => `${a.namespace}/${a.name}`)
        .filter((sa) => !serviceAccounts.has(sa));
      expect(missing).toEqual([]);
      const backup = one(all, 'CronJob', 'backup') as unknown as {
        spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: string } } } } };
      };
      expect(backup.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(
        accounts.find((a) => a.key === 'opsJobs')?.name,
      );
    },
  );
});

describe('workload identity: every service account with AWS permissions is bound the way the stage says', () => {
  type App = {
    spec: {
      destination: { namespace: string };
      source: { helm?: { valuesObject?: Record<string, unknown> } };
    };
  };
  /** `namespace/name` of each service account rendered here or set in Helm values, with its annotations. */
  const accountsOf = (c: ReturnType<typeof renderedCases>[number]) => {
    const out = new Map<string, Record<string, string>>();
    for (const sa of find(c.all, 'ServiceAccount')) {
      out.set(`${sa.metadata.namespace}/${sa.metadata.name}`, sa.metadata.annotations ?? {});
    }
    for (const app of find(c.dirs.apps, 'Application') as unknown as App[]) {
      for (const [name, annotations] of namedWithAnnotations(app.spec.source.helm?.valuesObject)) {
        out.set(`${app.spec.destination.namespace}/${name}`, annotations);
      }
    }
    return out;
  };
  // deploy/aws installs these itself (Karpenter and Load Balancer Controller charts, EKS add-on).
  const notHere = ['karpenter', 'ebsCsi', 'loadBalancerController'];

  it.each(renderedCases().map((c) => [c.name, c] as const))('scenario %s', (name, c) => {
    const stage = scenarioStage(SCENARIOS.find((s) => s.name === name)!);
    const accounts = accountsOf(c);
    const withAws = [
      ...Object.entries(SERVICE_ACCOUNTS)
        .filter(([key]) => !notHere.includes(key))
        .map(([, sa]) => sa),
      ...c.settings.workloads
        .filter((w) => w.workload.aws)
        .map((w) => workloadServiceAccount(w.workload.name)),
    ];
    expect(withAws.length).toBeGreaterThan(5);
    for (const sa of withAws) {
      const annotations = accounts.get(`${sa.namespace}/${sa.name}`);
      expect(annotations, `${sa.namespace}/${sa.name} is rendered`).toBeDefined();
      expect(annotations?.[ROLE_ARN_ANNOTATION], `${sa.namespace}/${sa.name}`).toBe(
        stage.options.workloadIdentity === 'irsa' ? irsaRoleArn(stage, sa) : undefined,
      );
    }
    // Nothing else gets a role: a service account the model gives no AWS access carries no annotation.
    const annotated = [...accounts].filter(([, a]) => a[ROLE_ARN_ANNOTATION]).map(([key]) => key);
    expect(annotated.sort()).toEqual(
      stage.options.workloadIdentity === 'irsa'
        ? withAws.map((sa) => `${sa.namespace}/${sa.name}`).sort()
        : [],
    );
  });
});

/** Each `serviceAccount` in Helm values (any depth) that has a name, with its annotations. */
function namedWithAnnotations(values: unknown): [string, Record<string, string>][] {
  if (typeof values !== 'object' || values === null) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([key, child]) => {
    const sa = child as { name?: unknown; annotations?: Record<string, string> } | null;
    if (key === 'serviceAccount' && typeof sa?.name === 'string') {
      return [[sa.name, sa.annotations ?? {}] as [string, Record<string, string>]];
    }
    return namedWithAnnotations(child);
  });
}
