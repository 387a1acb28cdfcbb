import {
  irsaRoleName,
  SCENARIOS,
  SERVICE_ACCOUNTS,
  scenarioStage,
  workloadServiceAccount,
  workloadsIn,
} from '@conduit/platform';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConduitStage } from '../lib/conduit-stage.js';
import { resolveEnvironment } from '../lib/environment.js';
import { cdkJsonContext } from './synth.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The model's IRSA scenarios (the option's value no real stage runs yet), synthesized with cdk-nag. */
const scenarios = SCENARIOS.filter((s) => scenarioStage(s).options.workloadIdentity === 'irsa');

describe.each(scenarios.map((s) => [s.name, s] as const))('IRSA scenario %s', (_, scenario) => {
  const settings = scenarioStage(scenario);
  const app = new App({ context: { ...cdkJsonContext(), '@aws-cdk/core:appMode': 'inmemory' } });
  const stage = new ConduitStage(app, settings.name, {
    settings,
    environment: resolveEnvironment(app.node, settings),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const t = Template.fromStack(stage.cluster);
  const resources = (t.toJSON() as { Resources: Resources }).Resources;
  const accounts = [
    ...Object.values(SERVICE_ACCOUNTS),
    ...workloadsIn(settings.name)
      .filter((w) => w.workload.aws)
      .map((w) => workloadServiceAccount(w.workload.name)),
  ];

  it('synthesizes with no unacknowledged cdk-nag finding (the CfnJson custom resource included)', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('creates no Pod Identity associations but a native OIDC provider for the cluster', () => {
    t.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  it('names each role as the model does for the one service account its trust policy admits', () => {
    const subjectOf = (logicalId: string) =>
      /system:serviceaccount:([^:"\\]+):([^:"\\]+)/.exec(
        JSON.stringify(resources[logicalId]?.Properties.Value),
      );
    const bound = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties).includes('TrustConditions'))
      .map((r) => {
        // The trust condition is a CfnJson value, resolved by CloudFormation (the issuer is a deploy-time value).
        const conditions = /"Fn::GetAtt":\["([A-Za-z0-9]+TrustConditions[A-Za-z0-9]*)","Value"\]/.exec(
          JSON.stringify(r.Properties.AssumeRolePolicyDocument),
        );
        const subject = conditions ? subjectOf(conditions[1]!) : null;
        return { roleName: r.Properties.RoleName, namespace: subject?.[1], name: subject?.[2] };
      });
    expect(bound).toHaveLength(accounts.length);
    for (const role of bound) {
      expect(role.namespace, String(role.roleName)).toBeDefined();
      expect(role.roleName).toBe(
        irsaRoleName(settings.name, { namespace: role.namespace!, name: role.name! }),
      );
    }
    expect(bound.map((r) => `${r.namespace}/${r.name}`).sort()).toEqual(
      accounts.map((a) => `${a.namespace}/${a.name}`).sort(),
    );
  });

  it('hands the role ARNs to the EBS CSI add-on, the Karpenter and Load Balancer Controller charts and deploy/k8s (outputs)', () => {
    t.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'aws-ebs-csi-driver',
      ServiceAccountRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EbsCsiRole'), 'Arn'] },
    });
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter',
      Values: Match.objectLike({
        'Fn::Join': Match.arrayWith([
          Match.arrayWith([Match.stringLikeRegexp('eks.amazonaws.com/role-arn')]),
        ]),
      }),
    });
    const lbcValues = JSON.stringify(
      Object.values(resources).find(
        (r) =>
          r.Type === 'Custom::AWSCDK-EKS-HelmChart' && r.Properties.Chart === 'aws-load-balancer-controller',
      )?.Properties.Values,
    );
    expect(lbcValues).toMatch(/eks\.amazonaws\.com\/role-arn.*LoadBalancerControllerRole/);
    for (const id of [
      'ExternalSecretsRoleArn',
      'FluentBitRoleArn',
      'BackupJobRoleArn',
      'ExternalDnsRoleArn',
      'AdotCollectorRoleArn',
      'GrafanaRoleArn',
    ]) {
      t.hasOutput(id, {});
    }
  });
});
