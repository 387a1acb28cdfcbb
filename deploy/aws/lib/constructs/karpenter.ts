import { SERVICE_ACCOUNTS } from '@conduit/platform';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IDependable } from 'constructs';
import { acknowledgeManagedPolicy, acknowledgeWildcards } from './acknowledge.js';
import { karpenterControllerStatements } from './controller-policies.js';
import { type WorkloadIdentity, workloadRole } from './pod-identity-role.js';

/** Pinned Karpenter chart: upgrades are reviewed changes, never a side effect of a deploy. */
export const KARPENTER_CHART = {
  repository: 'oci://public.ecr.aws/karpenter/karpenter',
  version: '1.8.1',
} as const;

const KARPENTER_SERVICE_ACCOUNT = SERVICE_ACCOUNTS.karpenter;

export interface KarpenterProps {
  readonly cluster: eks.ICluster;
  /** The EKS cluster's name: tag scoping of the controller's policy, node discovery, the queue name. */
  readonly clusterName: string;
  readonly identity: WorkloadIdentity;
  /** Security groups every Karpenter node carries beside the cluster's (the database clients group). */
  readonly nodeSecurityGroups: readonly ec2.ISecurityGroup[];
  /** Upper bound of the vCPUs Karpenter may launch. */
  readonly cpuLimit: number;
  /** Capacity types of the app nodes. */
  readonly capacityTypes: readonly ('spot' | 'on-demand')[];
  /** Tolerations that put the controller on the system nodes. */
  readonly tolerations: readonly Record<string, string>[];
  /** What the controller's pods need first (the system nodes). */
  readonly after: readonly IDependable[];
}

/**
 * Karpenter for app capacity: the node role and its access entry, the interruption queue and its rules,
 * the controller's role, the chart, and the default EC2NodeClass/NodePool (AL2023, IMDSv2, encrypted gp3).
 */
export class Karpenter extends Construct {
  constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    if (!Number.isInteger(props.cpuLimit) || props.cpuLimit < 1) {
      throw new Error(`Karpenter: cpuLimit (${props.cpuLimit}) must be a positive integer`);
    }
    if (props.capacityTypes.length === 0) {
      throw new Error('Karpenter: capacityTypes must list spot, on-demand or both');
    }
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,99}$/.test(props.clusterName)) {
      throw new Error(`Karpenter: clusterName (${props.clusterName}) must be an EKS cluster name`);
    }
    const { clusterName } = props;
    const { partition, region, account } = Stack.of(this);
    const nodeManagedPolicies = [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryPullOnly',
      'AmazonSSMManagedInstanceCore',
    ];
    const nodeRole = new iam.Role(this, 'KarpenterNodeRole', {
      roleName: `KarpenterNodeRole-${clusterName}`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: nodeManagedPolicies.map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n)),
    });
    for (const n of nodeManagedPolicies) acknowledgeManagedPolicy(nodeRole, n, 'EKS worker nodes');
    new eks.AccessEntry(this, 'KarpenterNodeAccess', {
      cluster: props.cluster,
      principal: nodeRole.roleArn,
      accessEntryType: eks.AccessEntryType.EC2_LINUX,
      accessPolicies: [],
    });

    const queue = new sqs.Queue(this, 'KarpenterInterruptions', {
      queueName: `${clusterName}-karpenter`,
      retentionPeriod: Duration.minutes(5),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'Interruption notices are useless after minutes; a dead-letter queue would only hold stale events.',
    });
    const rules: Record<string, events.EventPattern> = {
      ScheduledChange: { source: ['aws.health'], detailType: ['AWS Health Event'] },
      SpotInterruption: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
      Rebalance: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] },
      StateChange: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] },
    };
    for (const [id, eventPattern] of Object.entries(rules)) {
      new events.Rule(this, `Karpenter${id}`, { eventPattern, targets: [new targets.SqsQueue(queue)] });
    }

    const controller = workloadRole(this, 'Karpenter', props.identity, {
      cluster: props.cluster,
      namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT.name,
      statements: karpenterControllerStatements(this, {
        clusterName,
        clusterArn: props.cluster.clusterArn,
        nodeRoleArn: nodeRole.roleArn,
        queueArn: queue.queueArn,
      }),
    });
    acknowledgeWildcards(controller, [
      [
        'Resource::*',
        'EC2 describe calls and pricing:GetProducts support no resource scoping; limited to our region.',
      ],
      [
        `Resource::arn:${partition}:ec2:${region}::image/*`,
        'Karpenter picks the current EKS AMI; RunInstances needs the image resource.',
      ],
      [`Resource::arn:${partition}:ec2:${region}::snapshot/*`, 'AMI root snapshots, as above.'],
      ...['security-group', 'subnet', 'capacity-reservation'].map(
        (r) =>
          [
            `Resource::arn:${partition}:ec2:${region}:*:${r}/*`,
            `RunInstances needs the ${r} resource; which ones is decided by the EC2NodeClass selectors.`,
          ] as [string, string],
      ),
      ...[
        'fleet',
        'instance',
        'volume',
        'network-interface',
        'launch-template',
        'spot-instances-request',
      ].map(
        (r) =>
          [
            `Resource::arn:${partition}:ec2:${region}:*:${r}/*`,
            `Only ${r}s tagged kubernetes.io/cluster/${clusterName}=owned (condition on the statement).`,
          ] as [string, string],
      ),
      [
        `Resource::arn:${partition}:ssm:${region}::parameter/aws/service/*`,
        'Public AMI-id parameters published by AWS.',
      ],
      [
        `Resource::arn:${partition}:iam::${account}:instance-profile/*`,
        'Instance profiles Karpenter creates, scoped by tag conditions to our cluster.',
      ],
    ]);

    const chart = props.cluster.addHelmChart('KarpenterChart', {
      chart: 'karpenter',
      repository: KARPENTER_CHART.repository,
      version: KARPENTER_CHART.version,
      release: 'karpenter',
      namespace: KARPENTER_SERVICE_ACCOUNT.namespace,
      wait: true,
      values: {
        settings: { clusterName, interruptionQueue: queue.queueName },
        serviceAccount: {
          name: KARPENTER_SERVICE_ACCOUNT.name,
          ...(props.identity.mode === 'irsa'
            ? { annotations: { 'eks.amazonaws.com/role-arn': controller.role.roleArn } }
            : {}),
        },
        controller: {
          resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } },
        },
        tolerations: [...props.tolerations],
      },
    });
    chart.node.addDependency(...props.after, controller);

    const nodeClass = {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: 'default' },
      spec: {
        role: nodeRole.roleName,
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': clusterName } }],
        securityGroupSelectorTerms: [
          { id: props.cluster.clusterSecurityGroupId },
          ...props.nodeSecurityGroups.map((sg) => ({ id: sg.securityGroupId })),
        ],
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true } },
        ],
      },
    };
    const nodePool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'default' },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              {
                key: 'karpenter.sh/capacity-type',
                operator: 'In',
                values: [...props.capacityTypes],
              },
              { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
            ],
            expireAfter: '720h',
          },
        },
        limits: { cpu: props.cpuLimit },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
      },
    };
    props.cluster.addManifest('KarpenterNodePool', nodeClass, nodePool).node.addDependency(chart);
  }
}
