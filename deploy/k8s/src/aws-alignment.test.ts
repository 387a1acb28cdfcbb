import { readFileSync } from 'node:fs';
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { RDS_DATABASE_URL_TEMPLATE } from './constructs/secrets.js';
import { renderStage } from './render.js';
import { stage, stageNames } from './stages/index.js';
import { find, one, renderedCases } from './test/objects.js';

// Reads deploy/aws's source text instead of importing it: the k8s workspace must not depend on the CDK
// app, but the names both sides use must agree (the AWS side creates what these manifests reference).
const awsFile = (path: string) => readFileSync(new URL(`../../aws/${path}`, import.meta.url), 'utf8');
const awsStages = awsFile('lib/stages.ts');
const names = awsFile('lib/names.ts');

/** `edge: { domainName: '…' }` of each stage in deploy/aws/lib/stages.ts, in declaration order. */
function awsDomains(): Record<string, string> {
  const blocks = [...awsStages.matchAll(/^ {2}(dev|staging|prod): \{\n {4}name: '\1'/gm)];
  const out: Record<string, string> = {};
  blocks.forEach((block, i) => {
    const body = awsStages.slice(block.index, blocks[i + 1]?.index ?? awsStages.length);
    const domain = /edge:\s*\{\s*domainName:\s*'([^']+)'/.exec(body)?.[1];
    if (domain) out[block[1]!] = domain;
  });
  return out;
}

describe('every stage runs on what deploy/aws creates for it', () => {
  const domains = awsDomains();

  it('reads a domain for every stage from deploy/aws', () => {
    expect(Object.keys(domains).sort()).toEqual([...stageNames].sort());
  });

  it.each(stageNames)('%s: ALB router, RDS and External Secrets (no in-cluster database)', (name) => {
    const s = stage(name);
    expect(s.router.kind).toBe('alb');
    expect(s.database.kind).toBe('rds');
    expect(s.secrets.kind).toBe('external-secrets');
    expect(s.aws?.clusterName).toBe(`conduit-${name}`);
    expect(s.aws?.region).toBe('us-east-1');
    const all = Object.values(renderStage(s)).flat();
    expect(find(all, 'Cluster')).toEqual([]);
    expect(find(all, 'ExternalSecret', 'conduit-db')).toHaveLength(1);
  });

  it.each(stageNames)('%s: the Ingress host is the CloudFront origin name origin.<domain>', (name) => {
    expect(awsFile('lib/stacks/edge-stack.ts')).toContain(`this.originDomain = \`origin.\${domain}\``);
    const ingress = one(Object.values(renderStage(stage(name))).flat(), 'Ingress', 'conduit') as unknown as {
      spec: { rules: { host: string }[] };
    };
    expect(ingress.spec.rules.map((r) => r.host)).toEqual([`origin.${domains[name]}`]);
  });

  it.each(stageNames)(
    '%s: the JWT secret and the RDS instance have the names deploy/aws and ops use',
    (name) => {
      const jwt = /jwtSecretName: `([^`]+)`/.exec(names)?.[1]?.replace(`\${stage}`, name);
      const s = stage(name);
      expect(s.secrets.kind === 'external-secrets' && s.secrets.jwtSecretName).toBe(jwt);
      const dbSecret = /dbSecretName: `([^`]+)`/.exec(names)?.[1]?.replace(`\${stage}`, name);
      expect(dbSecret).toBe(`conduit/${name}/db`);
      expect(s.database.kind === 'rds' && s.database.secretName).toBe(dbSecret);
    },
  );

  it.each(stageNames)(
    '%s: DATABASE_URL is built from every field of conduit/<stage>/db, nothing hand-copied',
    (name) => {
      const es = one(
        Object.values(renderStage(stage(name))).flat(),
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
          remoteRef: { key: `conduit/${name}/db`, property: k },
        })),
      );
      expect(es.spec.target.template).toEqual({
        engineVersion: 'v2',
        data: {
          DATABASE_URL:
            'postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full',
        },
      });
      // The attached secret's JSON has exactly these keys (deploy/aws: DatabaseSecret + attachment).
      expect(awsFile('lib/constructs/postgres-database.ts')).toMatch(
        /new rds\.DatabaseSecret\(this, 'Credentials', \{\s*secretName: props\.secretName,\s*username: DATABASE_USER,\s*dbname: DATABASE_NAME,/,
      );
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
    const variants = renderedCases().filter((c) => !stageNames.includes(c.name as 'dev'));
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

describe('ServiceAccounts match the Pod Identity associations of deploy/aws (lib/names.ts)', () => {
  /** `key: { namespace: 'x', name: 'y' }` entries of SERVICE_ACCOUNTS. */
  const accounts = [...names.matchAll(/^ {2}(\w+): \{ namespace: '([^']+)', name: '([^']+)' \},$/gm)].map(
    ([, key, namespace, name]) => ({ key: key!, namespace: namespace!, name: name! }),
  );
  // deploy/aws installs these itself (Karpenter and Load Balancer Controller charts, EKS add-on).
  const installedByAws = ['karpenter', 'ebsCsi', 'loadBalancerController'];

  it('parses the associations', () => {
    expect(accounts.map((a) => a.key)).toEqual(
      expect.arrayContaining(['opsJobs', 'externalSecrets', 'loadBalancerController', 'argoRollouts']),
    );
  });

  it.each(stageNames)(
    '%s: every association names a ServiceAccount rendered here, in its namespace',
    (name) => {
      const dirs = renderStage(stage(name));
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
