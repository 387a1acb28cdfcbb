import { SERVICE_ACCOUNTS, STAGES, workloadsIn } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConduitStage } from '../lib/conduit-stage.js';
import { resolveEnvironment } from '../lib/environment.js';
import { cdkJsonContext } from './synth.js';

describe('IRSA as the workload-identity option (dev settings, cluster stack only)', () => {
  const app = new App({ context: cdkJsonContext() });
  const settings = { ...STAGES.dev, options: { ...STAGES.dev.options, workloadIdentity: 'irsa' as const } };
  const stage = new ConduitStage(app, 'dev', {
    settings,
    environment: resolveEnvironment(app.node, settings),
  });
  const t = Template.fromStack(stage.cluster);
  const json = t.toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };

  it('creates no Pod Identity associations but a native OIDC provider for the cluster', () => {
    t.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  it('binds each role to exactly one service account through the OIDC subject', () => {
    const subjects = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::CloudFormation::CustomResource' || r.Type === 'Custom::AWSCDKCfnJson')
      .map((r) => JSON.stringify(r.Properties.Value));
    // The platform's service accounts, and each dev workload that calls AWS (its own role).
    const workloads = workloadsIn('dev')
      .filter(({ workload }) => workload.aws)
      .map(({ workload }) => `conduit:${workload.name}`);
    expect(subjects).toHaveLength(Object.keys(SERVICE_ACCOUNTS).length + workloads.length);
    for (const sa of [
      'external-secrets:external-secrets',
      'logging:fluent-bit',
      'conduit:conduit-ops',
      'observability:adot-collector',
      'monitoring:grafana',
      'argo-rollouts:argo-rollouts',
      'external-dns:external-dns',
      'kube-system:aws-load-balancer-controller',
      'kube-system:karpenter',
      'kube-system:ebs-csi-controller-sa',
      ...workloads,
    ]) {
      expect(
        subjects.some((s) => s.includes(`system:serviceaccount:${sa}`)),
        sa,
      ).toBe(true);
    }
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
      Object.values(json.Resources).find(
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
