import { SERVICE_ACCOUNTS, type Workload, workloadServiceAccount } from '@conduit/platform';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge.js';
import { loadBalancerControllerStatements } from './controller-policies.js';
import { OpsJobsRole, type OpsJobsRoleProps } from './ops-jobs-role.js';
import {
  type PodIdentityRole,
  type PodIdentityRoleProps,
  type WorkloadIdentity,
  workloadRole,
} from './pod-identity-role.js';

export interface WorkloadIdentitiesProps {
  readonly cluster: eks.ICluster;
  /** Tag scoping of the Load Balancer Controller's policy. */
  readonly clusterName: string;
  readonly identity: WorkloadIdentity;
  /** The VPC the Load Balancer Controller may change security groups in. */
  readonly vpcId: string;
  /** The hosted zone external-dns may change records in. */
  readonly hostedZoneArn: string;
  /** The data key External Secrets decrypts through Secrets Manager with. */
  readonly dataKeyArn: string;
  /** Secrets Manager name prefix External Secrets may read (`conduit/<stage>/`). */
  readonly secretPrefix: string;
  /** The log group Fluent Bit writes to, created here with its retention. */
  readonly containerLogGroupName: string;
  readonly containerLogRetentionDays: number;
  /**
   * The app's workloads in the stage; each one that declares AWS statements gets its own role.
   * @default none
   */
  readonly workloads?: readonly Workload[];
  /** What the ops CLI's CronJobs may reach (their role is one of these identities). */
  readonly opsJobs: Omit<OpsJobsRoleProps, 'cluster' | 'identity'>;
}

/**
 * One role per service account that calls AWS: the platform's controllers (Load Balancer Controller,
 * External Secrets, Fluent Bit, Argo Rollouts, external-dns, the ADOT collector, Grafana), the ops CLI's
 * CronJobs (`OpsJobsRole`) and each workload that declares AWS statements in the model; plus the container
 * log group Fluent Bit writes to.
 */
export class WorkloadIdentities extends Construct {
  /** The Load Balancer Controller's role, which its chart (installed by the stack) needs first. */
  readonly loadBalancerController: PodIdentityRole;
  readonly opsJobs: OpsJobsRole;

  constructor(scope: Construct, id: string, props: WorkloadIdentitiesProps) {
    super(scope, id);
    if (!props.secretPrefix.endsWith('/') || props.secretPrefix.includes('*')) {
      throw new Error(
        `WorkloadIdentities: secretPrefix (${props.secretPrefix}) must be a literal prefix ending in /, or the secrets wildcard widens`,
      );
    }
    if (!Object.values(logs.RetentionDays).includes(props.containerLogRetentionDays)) {
      throw new Error(
        `WorkloadIdentities: containerLogRetentionDays (${props.containerLogRetentionDays}) must be a CloudWatch Logs retention`,
      );
    }
    const role = (roleId: string, roleProps: Omit<PodIdentityRoleProps, 'cluster' | 'mode' | 'roleName'>) =>
      workloadRole(this, roleId, props.identity, { ...roleProps, cluster: props.cluster });
    const { region, account, partition } = Stack.of(this);
    // One owner: CDK creates the group with its retention; Fluent Bit only writes streams (no
    // CreateLogGroup/PutRetentionPolicy), so a group auto-created with the wrong retention cannot happen.
    // CloudWatch Logs encrypts at rest by default; a KMS key would add cost and a key policy for no reader
    // outside this account.
    const containerLogs = new logs.LogGroup(this, 'ContainerLogs', {
      logGroupName: props.containerLogGroupName,
      retention: props.containerLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const lbc = role('LoadBalancerController', {
      ...sa(SERVICE_ACCOUNTS.loadBalancerController),
      statements: loadBalancerControllerStatements(this, props.clusterName, props.vpcId),
    });
    const elb = `arn:${partition}:elasticloadbalancing:${region}:${account}`;
    acknowledgeWildcards(lbc, [
      ['Resource::*', 'Describe/list calls of ELB, EC2, ACM, WAF and Shield support no resource scoping.'],
      [
        `Resource::arn:${partition}:ec2:${region}:${account}:security-group/*`,
        'Security groups the controller creates; mutations require our VPC or our cluster tag.',
      ],
      ...[
        'loadbalancer/app/*/*',
        'loadbalancer/net/*/*',
        'targetgroup/*/*',
        'listener/app/*/*/*',
        'listener/net/*/*/*',
        'listener-rule/app/*/*/*/*',
        'listener-rule/net/*/*/*/*',
      ].map(
        (r) =>
          [
            `Resource::${elb}:${r}`,
            'Only load balancers tagged elbv2.k8s.aws/cluster with our cluster name.',
          ] as [string, string],
      ),
    ]);

    const secretPrefixArn = `arn:${partition}:secretsmanager:${region}:${account}:secret:${props.secretPrefix}*`;
    const eso = role('ExternalSecrets', {
      ...sa(SERVICE_ACCOUNTS.externalSecrets),
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadOurSecrets',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          // conduit/<stage>/db is under the prefix: no cross-stack reference to the data stack's secret.
          resources: [secretPrefixArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptThroughSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [props.dataKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
      ],
    });
    acknowledgeWildcards(eso, [
      [
        `Resource::arn:${partition}:secretsmanager:${region}:${account}:secret:${props.secretPrefix}*`,
        `Only secrets under ${props.secretPrefix}; the suffix wildcard covers Secrets Manager's random ARN suffix.`,
      ],
    ]);

    role('FluentBit', {
      ...sa(SERVICE_ACCOUNTS.fluentBit),
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOurLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [containerLogs.logGroupArn],
        }),
      ],
    });

    const rollouts = role('ArgoRollouts', {
      ...sa(SERVICE_ACCOUNTS.argoRollouts),
      statements: [
        new iam.PolicyStatement({
          sid: 'VerifyTargetGroups',
          actions: [
            'elasticloadbalancing:DescribeTargetGroups',
            'elasticloadbalancing:DescribeLoadBalancers',
            'elasticloadbalancing:DescribeListeners',
            'elasticloadbalancing:DescribeRules',
            'elasticloadbalancing:DescribeTargetHealth',
          ],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeWildcards(rollouts, [
      ['Resource::*', 'ELB Describe* calls support no resource-level permissions; read-only.'],
    ]);

    this.opsJobs = new OpsJobsRole(this, 'OpsJobs', {
      ...props.opsJobs,
      cluster: props.cluster,
      identity: props.identity,
    });

    const externalDns = role('ExternalDns', {
      ...sa(SERVICE_ACCOUNTS.externalDns),
      statements: [
        new iam.PolicyStatement({
          sid: 'ChangeOurZone',
          actions: [
            'route53:ChangeResourceRecordSets',
            'route53:ListResourceRecordSets',
            'route53:ListTagsForResources',
          ],
          resources: [props.hostedZoneArn],
        }),
        new iam.PolicyStatement({
          sid: 'FindZones',
          actions: ['route53:ListHostedZones'],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeWildcards(externalDns, [
      ['Resource::*', 'route53:ListHostedZones supports no resource scoping.'],
    ]);

    const adot = role('AdotCollector', {
      ...sa(SERVICE_ACCOUNTS.adotCollector),
      statements: [
        new iam.PolicyStatement({
          sid: 'SendTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': region } },
        }),
      ],
    });
    acknowledgeWildcards(adot, [
      ['Resource::*', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource scoping; write-only.'],
    ]);

    const grafana = role('Grafana', {
      ...sa(SERVICE_ACCOUNTS.grafana),
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadCloudWatchMetrics',
          actions: [
            'cloudwatch:GetMetricData',
            'cloudwatch:ListMetrics',
            'cloudwatch:DescribeAlarms',
            'cloudwatch:DescribeAlarmsForMetric',
            'cloudwatch:DescribeAlarmHistory',
            'tag:GetResources',
          ],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': region } },
        }),
      ],
    });
    acknowledgeWildcards(grafana, [
      [
        'Resource::*',
        'CloudWatch metric reads and tag:GetResources support no resource scoping; read-only, our region.',
      ],
    ]);
    this.loadBalancerController = lbc;

    this.addAppWorkloadRoles(props);
  }

  /**
   * One role per workload that calls AWS, bound to the workload's own service account and holding exactly
   * the statements its model entry declares (`{account}`, `{region}`, `{stage}` filled in).
   */
  private addAppWorkloadRoles(props: WorkloadIdentitiesProps): void {
    const { region, account } = Stack.of(this);
    const fill = (resource: string) =>
      resource
        .replaceAll('{account}', account)
        .replaceAll('{region}', region)
        .replaceAll('{stage}', props.identity.stage);
    for (const workload of props.workloads ?? []) {
      if (!workload.aws) continue;
      const statements = workload.aws.statements.map(
        (s) => new iam.PolicyStatement({ actions: [...s.actions], resources: s.resources.map(fill) }),
      );
      const role = workloadRole(this, `Workload-${workload.name}`, props.identity, {
        cluster: props.cluster,
        ...sa(workloadServiceAccount(workload.name)),
        statements,
      });
      // Wildcards left in a declared resource are the workload's own scoping, reviewed in its model entry.
      const wildcards = statements.flatMap((s) => s.resources).filter((r) => r.includes('*'));
      acknowledgeWildcards(
        role,
        wildcards.map((r) => [
          `Resource::${r}`,
          `Declared by workload ${workload.name} in packages/platform.`,
        ]),
      );
    }
  }
}

function sa(account: { namespace: string; name: string }) {
  return { namespace: account.namespace, serviceAccount: account.name };
}
