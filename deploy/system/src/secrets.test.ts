import {
  databaseSecretName,
  grafanaAdminSecretName,
  irsaRoleArn,
  jwtSecretName,
  SERVICE_ACCOUNTS,
} from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allManifests, allScenarios, type CfnTemplate, type K8sObject } from './artifacts.js';
import { checkIdentities, ROLE_ARN_ANNOTATION } from './identities.js';
import { checkSecrets, checkSecretUses, helmSecretUses, remoteRefs, roleOf } from './secrets.js';
import { find, seeded } from './seed.js';

const scenarios = allScenarios().map((a) => [a.scenario.name, a] as const);

describe('secrets: every remote key exists, in the region, readable by the controller', () => {
  it.each(scenarios)('%s: no findings', (_, a) => {
    expect(checkSecrets(a)).toEqual([]);
  });
});

describe('identities: every service account that calls AWS exists in both layers', () => {
  it.each(scenarios)('%s: no findings', (_, a) => {
    expect(checkIdentities(a)).toEqual([]);
  });
});

const dev = allScenarios().find((a) => a.scenario.name === 'dev')!;
const irsa = allScenarios().find((a) => a.stage.options.workloadIdentity === 'irsa')!;

/** The logical id of the only resource of a type whose properties mention `text`. */
function resourceId(templates: Record<string, CfnTemplate>, stack: string, type: string, text: string) {
  const found = Object.entries(templates[stack]!.Resources).filter(
    ([, r]) => r.Type === type && JSON.stringify(r.Properties).includes(text),
  );
  expect(found).toHaveLength(1);
  return found[0]![0];
}

describe('secrets: seeded defects', () => {
  it('finds a secret the monitoring stack reads that nobody creates (the grafana-admin defect)', () => {
    const name = grafanaAdminSecretName(dev.stage.name);
    const broken = seeded(dev, ({ templates }) => {
      delete templates.Data!.Resources[resourceId(templates, 'Data', 'AWS::SecretsManager::Secret', name)];
    });
    expect(checkSecrets(broken)).toEqual([
      `dev: ExternalSecret monitoring/grafana-admin reads ${name}, which the CDK app does not create and PERSON_CREATED_SECRETS (docs/operations.md) does not list`,
    ]);
  });

  it('finds a store that reads another region', () => {
    const broken = seeded(dev, ({ manifests }) => {
      const store = manifests.platform.find((o) => o.kind === 'ClusterSecretStore')!;
      (store.spec as { provider: { aws: { region: string } } }).provider.aws.region = 'eu-west-1';
    });
    const findings = checkSecrets(broken);
    expect(findings.length).toBe(remoteRefs(allManifests(dev)).length);
    expect(findings[0]).toMatch(/: SecretsManager in eu-west-1, not SecretsManager in us-east-1$/);
  });

  it('finds a controller role that may read only the database secret', () => {
    const broken = seeded(dev, ({ templates }) => {
      const id = resourceId(templates, 'Cluster', 'AWS::IAM::Policy', 'ReadOurSecrets');
      const doc = templates.Cluster!.Resources[id]!.Properties!.PolicyDocument as {
        Statement: { Sid?: string; Resource: unknown }[];
      };
      doc.Statement.find((s) => s.Sid === 'ReadOurSecrets')!.Resource =
        `arn:aws:secretsmanager:us-east-1:${dev.stage.account}:secret:${databaseSecretName('dev')}-??????`;
    });
    const findings = checkSecrets(broken);
    expect(findings).toContain(
      `dev: ExternalSecret conduit/conduit-jwt reads ${jwtSecretName('dev')}, but the role ${roleOf(dev, SERVICE_ACCOUNTS.externalSecrets)} of external-secrets/external-secrets may not secretsmanager:GetSecretValue it`,
    );
    expect(findings.some((f) => f.includes(`reads ${databaseSecretName('dev')}`))).toBe(false);
  });
});

describe('identities: seeded defects', () => {
  it('finds a service account that calls AWS without its Pod Identity association', () => {
    const broken = seeded(dev, ({ templates }) => {
      delete templates.Cluster!.Resources[
        resourceId(templates, 'Cluster', 'AWS::EKS::PodIdentityAssociation', '"external-dns"')
      ];
    });
    expect(checkIdentities(broken)).toEqual([
      'dev: external-dns/external-dns calls AWS (model) but the Cluster stack binds no role to it (Pod Identity association)',
    ]);
  });

  it('finds an association for a service account no layer renders (exists only in AWS)', () => {
    const broken = seeded(dev, ({ templates }) => {
      const id = resourceId(templates, 'Cluster', 'AWS::EKS::PodIdentityAssociation', '"fluent-bit"');
      templates.Cluster!.Resources[id]!.Properties!.ServiceAccount = 'fluentbit';
    });
    expect(checkIdentities(broken)).toEqual(
      expect.arrayContaining([
        'dev: logging/fluent-bit calls AWS (model) but the Cluster stack binds no role to it (Pod Identity association)',
        expect.stringMatching(
          /^dev: logging\/fluentbit has a role \(\w+\) but exists only in the AWS layer$/,
        ),
      ]),
    );
  });

  it('finds a service account the model says calls AWS that no manifest creates', () => {
    const ops = SERVICE_ACCOUNTS.opsJobs;
    const broken = seeded(dev, ({ manifests }) => {
      manifests.conduit = manifests.conduit.filter(
        (o) => !(o.kind === 'ServiceAccount' && o.metadata.name === ops.name),
      );
    });
    expect(checkIdentities(broken)).toEqual([
      `dev: ${ops.namespace}/${ops.name} calls AWS (model) but no manifest, Helm release or EKS add-on creates it`,
      expect.stringMatching(
        new RegExp(`^dev: ${ops.namespace}/${ops.name} has a role .* exists only in the AWS layer$`),
      ),
    ]);
  });

  it('finds an IRSA annotation in a pod-identity stage', () => {
    const ops = SERVICE_ACCOUNTS.opsJobs;
    const broken = seeded(dev, ({ manifests }) => {
      find(manifests.conduit, 'ServiceAccount', ops.name).metadata.annotations = {
        [ROLE_ARN_ANNOTATION]: 'arn:aws:iam::111111111111:role/x',
      };
    });
    expect(checkIdentities(broken)).toEqual([
      `dev: ${ops.namespace}/${ops.name} carries ${ROLE_ARN_ANNOTATION} in a pod-identity stage`,
    ]);
  });

  it('finds an IRSA annotation naming another role than the one that trusts the account', () => {
    const ops = SERVICE_ACCOUNTS.opsJobs;
    const other = irsaRoleArn(irsa.stage, SERVICE_ACCOUNTS.grafana);
    const broken = seeded(irsa, ({ manifests }) => {
      find(manifests.conduit, 'ServiceAccount', ops.name).metadata.annotations[ROLE_ARN_ANNOTATION] = other;
    });
    expect(checkIdentities(broken)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${irsa.scenario.name.replace('+', '\\+')}: ${ops.namespace}/${ops.name} is annotated with ${other}, not the role \\w+ that trusts it$`,
        ),
      ),
    ]);
  });

  it('finds a service account without its IRSA annotation in an irsa stage', () => {
    const ops = SERVICE_ACCOUNTS.opsJobs;
    const broken = seeded(irsa, ({ manifests }) => {
      delete find(manifests.conduit, 'ServiceAccount', ops.name).metadata.annotations;
    });
    expect(checkIdentities(broken)).toEqual([
      expect.stringMatching(
        new RegExp(`: ${ops.namespace}/${ops.name} has no ${ROLE_ARN_ANNOTATION} annotation for role \\w+$`),
      ),
    ]);
  });
});

describe('secrets the monitoring stack reads: produced, with the keys it reads', () => {
  it.each(scenarios)('%s: no findings', (_, a) => {
    expect(checkSecretUses(a)).toEqual([]);
  });

  it('reads the Grafana admin and Alertmanager receiver secrets from the rendered Helm values', () => {
    const uses = helmSecretUses(allManifests(dev)).map((u) => `${u.namespace}/${u.secret}`);
    expect(uses).toEqual(
      expect.arrayContaining(['monitoring/grafana-admin', 'monitoring/alertmanager-receivers']),
    );
  });
});

describe('secrets the monitoring stack reads: seeded defects', () => {
  const prometheusStack = (manifests: { apps: K8sObject[] }) =>
    manifests.apps.find(
      (o) => o.kind === 'Application' && JSON.stringify(o.spec).includes('"chart":"kube-prometheus-stack"'),
    ) as K8sObject & {
      // biome-ignore lint/suspicious/noExplicitAny: a seed reaches into any field of the Helm values.
      spec: { source: { helm: { valuesObject: Record<string, any> } } };
    };

  it('finds a receiver file whose key the person-created secret does not declare', () => {
    const broken = seeded(dev, ({ manifests }) => {
      const values = prometheusStack(manifests).spec.source.helm.valuesObject;
      const email = values.alertmanager.config.receivers
        .flatMap((r: { email_configs?: unknown[] }) => r.email_configs ?? [])
        .find(Boolean) as { auth_password_file: string };
      email.auth_password_file = email.auth_password_file.replace(/[^/]+$/, 'smtp-pasword');
    });
    expect(checkSecretUses(broken)).toEqual([
      expect.stringMatching(
        /: Application dev-kube-prometheus-stack reads Secret monitoring\/alertmanager-receivers key smtp-pasword, which ExternalSecret alertmanager-receivers does not provide$/,
      ),
    ]);
  });

  it('finds a Grafana admin key the CDK-generated secret does not hold', () => {
    const broken = seeded(dev, ({ templates }) => {
      const id = resourceId(templates, 'Data', 'AWS::SecretsManager::Secret', grafanaAdminSecretName('dev'));
      const g = templates.Data!.Resources[id]!.Properties!.GenerateSecretString as Record<string, string>;
      g.GenerateStringKey = 'password';
    });
    expect(checkSecretUses(broken)).toEqual([
      expect.stringMatching(
        /reads Secret monitoring\/grafana-admin key admin-password, which ExternalSecret grafana-admin does not provide$/,
      ),
    ]);
  });

  it('finds a Secret the Helm values read that no ExternalSecret produces', () => {
    const broken = seeded(dev, ({ manifests }) => {
      manifests.platform = manifests.platform.filter(
        (o) => !(o.kind === 'ExternalSecret' && o.metadata.name === 'grafana-admin'),
      );
    });
    expect(checkSecretUses(broken)).toEqual([
      'dev: Application dev-kube-prometheus-stack reads Secret monitoring/grafana-admin, which no ExternalSecret produces',
    ]);
  });
});
