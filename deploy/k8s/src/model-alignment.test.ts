import {
  clusterName,
  databaseSecretName,
  jwtSecretName,
  SERVICE_ACCOUNTS,
  STAGE_NAMES,
  STAGES,
} from '@conduit/platform';
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { RDS_DATABASE_URL_TEMPLATE } from './constructs/secrets.js';
import { renderStage } from './render.js';
import { renderSettings } from './stages/index.js';
import { find, one, renderedCases } from './test/objects.js';

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
    expect(find(all, 'Cluster')).toEqual([]);
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
          target: { template: { engineVersion: string; data: { DATABASE_URL: string } } };
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

  it('clusters without AWS stay covered as settings: NGINX and Istio routers, CloudNativePG, plain Secrets', () => {
    const variants = renderedCases().filter((c) => !(STAGE_NAMES as readonly string[]).includes(c.name));
    const kinds = (pick: (c: (typeof variants)[number]) => string) => new Set(variants.map(pick));
    expect([...kinds((c) => c.settings.router.kind)]).toEqual(expect.arrayContaining(['nginx', 'istio']));
    expect([...kinds((c) => c.settings.database.kind)]).toContain('cnpg');
    expect([...kinds((c) => c.settings.secrets.kind)]).toContain('plain');
    for (const c of variants.filter((v) => v.settings.database.kind === 'cnpg')) {
      expect(find(c.all, 'Cluster'), c.name).toHaveLength(1);
    }
  });
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
