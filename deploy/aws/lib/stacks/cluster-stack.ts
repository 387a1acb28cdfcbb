import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as platform from '@conduit/platform';
import {
  CfnCondition,
  type CfnElement,
  CfnOutput,
  type CfnResource,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { acknowledgeManagedPolicy } from '../constructs/acknowledge.js';
import { ArgoCdBootstrap } from '../constructs/argocd-bootstrap.js';
import { InlineLogicalIds } from '../constructs/inline-logical-ids.js';
import { Karpenter } from '../constructs/karpenter.js';
import {
  type PodIdentityRole,
  type PodIdentityRoleProps,
  type WorkloadIdentity,
  workloadRole,
} from '../constructs/pod-identity-role.js';
import type { PostgresDatabase } from '../constructs/postgres-database.js';
import { WorkloadIdentities } from '../constructs/workload-identities.js';
import { renderedRoot } from '../rendered-root.js';

/** Pinned chart versions: upgrades are reviewed changes, never a side effect of a deploy. */
export const CLUSTER_CHARTS = {
  awsLoadBalancerController: {
    repository: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    version: '1.13.4',
  },
} as const;

export const CONTROL_PLANE_LOGS = [
  eks.ClusterLoggingTypes.API,
  eks.ClusterLoggingTypes.AUDIT,
  eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
  eks.ClusterLoggingTypes.SCHEDULER,
];

/** System pods tolerate this taint; app pods do not, so they land on Karpenter capacity. */
const SYSTEM_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' } as const;
const SYSTEM_TOLERATION = { key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' };
const SYSTEM_NODE_SELECTOR = { 'conduit.io/pool': 'system' };

export interface ClusterStackProps extends StackProps {
  /**
   * The stage: names its secrets, log groups, snapshots and CI viewer roles (the platform model's names), and
   * picks the root Application deploy/k8s rendered for it.
   */
  readonly stage: platform.StageName;
  /** The EKS cluster's name (`clusterName`): the cluster, its key alias, log group and Karpenter discovery. */
  readonly clusterName: string;
  /** The stage's cluster: version, endpoint access, access entries, system nodes, Karpenter limits, log retention. */
  readonly cluster: platform.Stage['cluster'];
  /** How pods get AWS credentials (the stage's `options.workloadIdentity`): Pod Identity or IRSA. */
  readonly workloadIdentity: platform.Stage['options']['workloadIdentity'];
  /** Git repository and revision Argo CD syncs the stage from (the stage's `gitops`). */
  readonly gitops: platform.Stage['gitops'];
  /** The VPC whose private subnets hold the control plane's ENIs and the nodes. */
  readonly vpc: ec2.IVpc;
  /** Attached to every node (system and Karpenter): the only source the database admits. */
  readonly dbClientSecurityGroup: ec2.ISecurityGroup;
  /** The stage's public hosted zone, which external-dns may write records in. */
  readonly zone: route53.IHostedZone;
  /** The stage's database, which the ops jobs snapshot. */
  readonly database: PostgresDatabase;
  /** The data stack's key (secrets, backups), which the workloads and ops jobs may use. */
  readonly dataKey: kms.IKey;
  /** A fixed name, so policies need no cross-stack reference. */
  readonly backupBucketName: string;
  /** The platform's workloads; each one enabled in the stage that calls AWS gets its own role. */
  readonly workloads: readonly platform.Workload[];
}

/**
 * EKS and everything bound to the cluster's lifetime: node capacity, add-ons, Pod Identity roles, and
 * the GitOps hand-off to Argo CD. Rebuilding this stack never touches data.
 */
export class ClusterStack extends Stack {
  readonly cluster: eks.Cluster;
  private readonly identity: WorkloadIdentity;
  /** Constructs split out of this stack after it was deployed; see `allocateLogicalId`. */
  private readonly inlineIds = new InlineLogicalIds();

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { stage, clusterName } = props;
    this.identity = { mode: props.workloadIdentity, stage };
    const c = props.cluster;
    // EKS's own rule for cluster names; the name also prefixes the key alias and the log group.
    if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(clusterName)) {
      throw new Error(
        `ClusterStack: clusterName (${clusterName}) must be 1-100 letters, digits, hyphens or underscores, starting with a letter or digit`,
      );
    }
    const nodes = c.systemNodes;
    if (!(nodes.minSize <= nodes.desiredSize && nodes.desiredSize <= nodes.maxSize) || nodes.minSize < 1) {
      throw new Error(
        `ClusterStack: cluster.systemNodes must satisfy 1 <= minSize (${nodes.minSize}) <= desiredSize (${nodes.desiredSize}) <= maxSize (${nodes.maxSize})`,
      );
    }
    if (c.endpointAccess === 'public-and-private' && c.publicAccessCidrs.length === 0) {
      throw new Error(
        'ClusterStack: cluster.publicAccessCidrs must list at least one CIDR for a public endpoint',
      );
    }

    const secretsKey = new kms.Key(this, 'SecretsKey', {
      alias: `alias/${clusterName}-secrets`,
      description: `Envelope encryption of Kubernetes secrets in ${clusterName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Pre-created so the control-plane logs get a retention instead of EKS's never-expire default.
    const controlPlaneLogs = new logs.LogGroup(this, 'ControlPlaneLogs', {
      logGroupName: `/aws/eks/${clusterName}/cluster`,
      retention: c.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: eks.KubernetesVersion.of(c.kubernetesVersion),
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess:
        c.endpointAccess === 'private'
          ? eks.EndpointAccess.PRIVATE
          : eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...c.publicAccessCidrs),
      secretsEncryptionKey: secretsKey,
      clusterLogging: CONTROL_PLANE_LOGS,
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // Admins are explicit access entries; the deploying role keeps no hidden cluster-admin.
      bootstrapClusterCreatorAdminPermissions: false,
      outputConfigCommand: false,
      kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(this, 'KubectlLayer') },
    });
    this.cluster.node.addDependency(controlPlaneLogs);
    acknowledgeManagedPolicy(this.cluster.role, 'AmazonEKSClusterPolicy', 'EKS control plane');
    Validations.of(this.cluster.node.defaultChild!).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason:
        'aws-eks-v2 renders EncryptionConfig.Resources ["secrets"], which EKS still requires for envelope encryption.',
    });
    this.acknowledgeKubectlProvider();

    for (const roleName of c.adminRoleNames) {
      this.cluster.grantAccess(`Admin-${roleName}`, this.roleArn(roleName), [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', {
          accessScopeType: eks.AccessScopeType.CLUSTER,
        }),
      ]);
    }
    // The CI observer role (verify-dev, promote verify/watch) reads the app namespace like a developer, and
    // its Rollouts through the group the model names (the view policy knows only built-in kinds).
    const ciViewers = platform
      .ciRolesOf(stage)
      .filter((r) => r.clusterViewer)
      .map((r) => ({ roleName: platform.ciRoleName(stage, r.id), group: r.kubernetesGroup }));
    for (const { roleName, group } of [
      ...c.viewerRoleNames.map((roleName) => ({ roleName, group: undefined })),
      ...ciViewers,
    ]) {
      const id = `Viewer-${roleName}`;
      this.cluster.grantAccess(id, this.roleArn(roleName), [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSViewPolicy', {
          accessScopeType: eks.AccessScopeType.NAMESPACE,
          namespaces: [platform.APP_NAMESPACE],
        }),
      ]);
      // The L2 AccessEntry has no groups; its CloudFormation resource has (KubernetesGroups).
      if (group) {
        const entry = this.cluster.node.findChild(id).node.defaultChild as CfnResource;
        entry.addPropertyOverride('KubernetesGroups', [group]);
      }
    }

    // Networking add-ons are DaemonSets and must exist before nodes join; CoreDNS and the EBS CSI
    // controller are Deployments and wait for the node group.
    const addon = (addonName: string, configurationValues?: Record<string, unknown>) =>
      new eks.Addon(this, `Addon-${addonName}`, {
        cluster: this.cluster,
        addonName,
        ...(configurationValues ? { configurationValues } : {}),
      });
    const networkAddons = [
      addon('vpc-cni', { enableNetworkPolicy: 'true' }),
      addon('kube-proxy'),
      addon('eks-pod-identity-agent'),
    ];

    const launchTemplate = new ec2.LaunchTemplate(this, 'SystemNodes', {
      requireImdsv2: true,
      // Pods use Pod Identity, never the node's instance role through IMDS.
      httpPutResponseHopLimit: 1,
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(
        this,
        'ClusterSg',
        this.cluster.clusterSecurityGroupId,
      ),
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(50, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    launchTemplate.addSecurityGroup(props.dbClientSecurityGroup);
    const systemNodes = this.cluster.addNodegroupCapacity('System', {
      nodegroupName: 'system',
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      instanceTypes: [new ec2.InstanceType(nodes.instanceType)],
      minSize: nodes.minSize,
      desiredSize: nodes.desiredSize,
      maxSize: nodes.maxSize,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      labels: { 'conduit.io/pool': 'system' },
      taints: [{ ...SYSTEM_TAINT, effect: eks.TaintEffect.NO_SCHEDULE }],
      launchTemplateSpec: {
        id: launchTemplate.launchTemplateId!,
        version: launchTemplate.latestVersionNumber,
      },
    });
    for (const a of networkAddons) systemNodes.node.addDependency(a);
    for (const n of [
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
      'AmazonEC2ContainerRegistryReadOnly',
    ]) {
      acknowledgeManagedPolicy(systemNodes.role, n, 'EKS worker nodes');
    }
    addon('coredns', { tolerations: [SYSTEM_TOLERATION] }).node.addDependency(systemNodes);

    const ebsCsi = this.workloadRole('EbsCsi', {
      ...sa(platform.SERVICE_ACCOUNTS.ebsCsi),
      managedPolicyNames: ['service-role/AmazonEBSCSIDriverPolicy'],
    });
    acknowledgeManagedPolicy(ebsCsi.role, 'service-role/AmazonEBSCSIDriverPolicy', 'EBS CSI driver');
    const ebsAddon = addon('aws-ebs-csi-driver');
    ebsAddon.node.addDependency(systemNodes, ebsCsi);
    if (props.workloadIdentity === 'irsa') {
      (ebsAddon.node.defaultChild as eks.CfnAddon).serviceAccountRoleArn = ebsCsi.role.roleArn;
    }

    // gp3 is cheaper and faster than gp2 at every size; make it the default for PVCs without a class.
    this.cluster
      .addManifest('Gp3StorageClass', {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'ebs.csi.aws.com',
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        reclaimPolicy: 'Delete',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      })
      .node.addDependency(ebsAddon);

    this.inlineIds.add(
      new Karpenter(this, 'Karpenter', {
        cluster: this.cluster,
        clusterName,
        identity: this.identity,
        nodeSecurityGroups: [props.dbClientSecurityGroup],
        cpuLimit: c.karpenterCpuLimit,
        capacityTypes: c.karpenterCapacityTypes,
        tolerations: [SYSTEM_TOLERATION],
        after: [systemNodes],
      }),
    );
    const identities = this.inlineIds.add(
      new WorkloadIdentities(this, 'WorkloadIdentities', {
        cluster: this.cluster,
        clusterName,
        identity: this.identity,
        vpcId: props.vpc.vpcId,
        hostedZoneArn: props.zone.hostedZoneArn,
        dataKeyArn: props.dataKey.keyArn,
        secretPrefix: platform.secretPrefix(stage),
        containerLogGroupName: platform.containerLogGroupName(stage),
        containerLogRetentionDays: c.containerLogRetentionDays,
        workloads: platform.workloadsIn(stage, props.workloads).map((w) => w.workload),
        opsJobs: {
          serviceAccount: platform.SERVICE_ACCOUNTS.opsJobs,
          databaseArn: props.database.resourceArn,
          snapshotPrefix: platform.databaseSnapshotPrefix(stage),
          databaseSecretName: platform.databaseSecretName(stage),
          backupBucketName: props.backupBucketName,
          dataKeyArn: props.dataKey.keyArn,
        },
      }),
    );
    this.inlineIds.add(identities.opsJobs);
    const lbcRole = identities.loadBalancerController;
    const lbc = this.addLoadBalancerController(props, systemNodes, lbcRole);
    new ArgoCdBootstrap(this, 'ArgoCd', {
      cluster: this.cluster,
      root: renderedRoot(stage),
      repoUrl: props.gitops.repoUrl,
      targetRevision: props.gitops.targetRevision,
      tolerations: [SYSTEM_TOLERATION],
      nodeSelector: SYSTEM_NODE_SELECTOR,
      after: [systemNodes],
      applicationAfter: [lbc],
    });

    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'UpdateKubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${clusterName} --region ${this.region}`,
      description: 'Adds the cluster to ~/.kube/config (needs an admin access entry role)',
    });
  }

  /** The kubectl provider is built by aws-eks-v2 (Lambda, its roles and runtime are not ours to choose). */
  private acknowledgeKubectlProvider(): void {
    const provider = this.cluster.node.findChild('KubectlProvider');
    for (const name of [
      'service-role/AWSLambdaBasicExecutionRole',
      'service-role/AWSLambdaVPCAccessExecutionRole',
      'AmazonEC2ContainerRegistryReadOnly',
    ]) {
      acknowledgeManagedPolicy(provider, name, 'kubectl provider Lambda');
    }
    const handler = provider.node.findChild('Handler');
    const ecrPublic = handler.node.children.find((child) => child instanceof CfnCondition);
    if (!ecrPublic) throw new Error('aws-eks-v2 kubectl handler no longer has its ECR Public condition');
    Validations.of(provider).acknowledge(
      {
        id: `AwsSolutions-IAM4[Policy::{"Fn::If":["${this.getLogicalId(ecrPublic as CfnCondition)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]`,
        reason:
          'kubectl provider pulls public Helm charts (Karpenter) from ECR Public; AWS-managed read-only policy.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'aws-eks-v2 pins the kubectl handler runtime to the one its kubectl/helm layer is built for.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(handler.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: 'The provider framework invokes every version of its own handler function only.',
      },
    );
  }

  /** A workload role in the stage's identity mode (IRSA: named by the model, ARN as an output). */
  private workloadRole(
    id: string,
    props: Omit<PodIdentityRoleProps, 'cluster' | 'mode' | 'roleName'>,
  ): PodIdentityRole {
    return workloadRole(this, id, this.identity, { ...props, cluster: this.cluster });
  }

  /**
   * Resources of the constructs split out of this stack (`inlineIds`) keep the logical ids they had when the
   * stack created them itself: moving code must not make CloudFormation replace a role or a queue.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    return super.allocateLogicalId(this.inlineIds.view(element));
  }

  private roleArn(roleName: string): string {
    return `arn:${this.partition}:iam::${this.account}:role/${roleName}`;
  }

  /**
   * Installed here rather than by Argo CD: its `vpcId` is the network stack's VPC, known only after that
   * stack deploys, so CDK passes the real id (a cross-stack reference) instead of a hand-copied one. It
   * runs on the system nodes and is ready before the app-of-apps syncs, because the app pods' readiness
   * gates come from its webhook.
   */
  private addLoadBalancerController(
    props: ClusterStackProps,
    systemNodes: eks.Nodegroup,
    role: PodIdentityRole,
  ): eks.HelmChart {
    const account = platform.SERVICE_ACCOUNTS.loadBalancerController;
    const chart = this.cluster.addHelmChart('LoadBalancerController', {
      chart: CLUSTER_CHARTS.awsLoadBalancerController.chart,
      repository: CLUSTER_CHARTS.awsLoadBalancerController.repository,
      version: CLUSTER_CHARTS.awsLoadBalancerController.version,
      release: 'aws-load-balancer-controller',
      namespace: account.namespace,
      wait: true,
      values: {
        clusterName: props.clusterName,
        region: this.region,
        vpcId: props.vpc.vpcId,
        replicaCount: 2,
        serviceAccount: {
          create: true,
          name: account.name,
          ...(props.workloadIdentity === 'irsa'
            ? { annotations: { 'eks.amazonaws.com/role-arn': role.role.roleArn } }
            : {}),
        },
        // Readiness gates come from the pod webhook; Services stay ClusterIP (no NLB for every Service).
        enableServiceMutatorWebhook: false,
        tolerations: [SYSTEM_TOLERATION],
        nodeSelector: { 'conduit.io/pool': 'system' },
      },
    });
    // The association must exist before the pods start, or they come up without credentials.
    chart.node.addDependency(systemNodes, role);
    return chart;
  }
}

function sa(account: { namespace: string; name: string }) {
  return { namespace: account.namespace, serviceAccount: account.name };
}
