import {
  argoApplicationNames,
  SERVICE_ACCOUNTS,
  STAGE_NAMES,
  STAGES,
  workloadServiceAccount,
  workloadsIn,
} from '@conduit/platform';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { renderedRoot } from '../lib/rendered-root.js';
import { parseJsonProperty, resourcesOfType, template, templateJson } from './templates.js';

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Sid?: string;
};

describe.each(STAGE_NAMES)('cluster stack (%s)', (stage) => {
  const t = template(stage, 'Cluster');
  const c = STAGES[stage].cluster;
  const account = STAGES[stage].account;
  const resources = templateJson(stage, 'Cluster').Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;

  /** The inline policy statements of the Pod Identity role bound to namespace/serviceAccount. */
  const podPolicy = (sa: { namespace: string; name: string }): Statement[] => {
    const association = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::EKS::PodIdentityAssociation' &&
        r.Properties.Namespace === sa.namespace &&
        r.Properties.ServiceAccount === sa.name,
    );
    expect(association, `association for ${sa.namespace}/${sa.name}`).toBeDefined();
    const roleId = (association!.Properties.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const resourceList = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

  it(`runs Kubernetes ${c.kubernetesVersion} with private subnets, KMS secrets encryption and all control-plane logs`, () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Name: `conduit-${stage}`,
      Version: c.kubernetesVersion,
      EncryptionConfig: [
        {
          Provider: { KeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] } },
          Resources: ['secrets'],
        },
      ],
      Logging: {
        ClusterLogging: {
          EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((type) => ({
            Type: type,
          })),
        },
      },
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
    const subnets = JSON.stringify(
      (
        resources[Object.keys(resources).find((k) => resources[k]!.Type === 'AWS::EKS::Cluster')!]!.Properties
          .ResourcesVpcConfig as Record<string, unknown>
      ).SubnetIds,
    );
    expect(subnets).toMatch(/privateSubnet/);
    expect(subnets).not.toMatch(/publicSubnet|databaseSubnet/);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/eks/conduit-${stage}/cluster`,
      RetentionInDays: c.logRetentionDays,
    });
  });

  it(`exposes the API endpoint ${c.endpointAccess === 'private' ? 'privately only' : 'publicly and privately'}`, () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike(
        c.endpointAccess === 'private'
          ? { EndpointPrivateAccess: true, EndpointPublicAccess: false }
          : {
              EndpointPrivateAccess: true,
              EndpointPublicAccess: true,
              PublicAccessCidrs: [...c.publicAccessCidrs],
            },
      ),
    });
  });

  it("opens a public endpoint to exactly the model's ranges, never to every address", () => {
    const [cluster] = resourcesOfType(stage, 'Cluster', 'AWS::EKS::Cluster').map(([, r]) => r.Properties!);
    const vpcConfig = cluster!.ResourcesVpcConfig as {
      EndpointPublicAccess: boolean;
      PublicAccessCidrs?: string[];
    };
    if (c.endpointAccess === 'private') {
      expect(vpcConfig.EndpointPublicAccess).toBe(false);
    } else {
      expect(vpcConfig.PublicAccessCidrs).toEqual([...c.publicAccessCidrs]);
      expect(vpcConfig.PublicAccessCidrs).not.toHaveLength(0);
    }
    // EKS's default for a public endpoint without ranges is 0.0.0.0/0; none may be rendered.
    for (const cidr of vpcConfig.PublicAccessCidrs ?? []) expect(cidr).not.toMatch(/\/0$/);
  });

  it('applies its manifests and charts from inside the VPC, so the public ranges need not admit CDK', () => {
    // The kubectl provider's handler (Helm charts, Argo CD bootstrap) reaches the endpoint's private side.
    const handlers = resourcesOfType(stage, 'Cluster', 'AWS::Lambda::Function').filter(([id]) =>
      /KubectlProviderHandler/.test(id),
    );
    expect(handlers).toHaveLength(1);
    const subnets = JSON.stringify(
      (handlers[0]![1].Properties!.VpcConfig as { SubnetIds: unknown }).SubnetIds,
    );
    expect(subnets).toMatch(/privateSubnet/);
  });

  it('grants cluster-admin only to the named admin roles, and namespace view to viewers', () => {
    const entries = resourcesOfType(stage, 'Cluster', 'AWS::EKS::AccessEntry').map(([, r]) => r.Properties!);
    const admins = entries.filter((e) =>
      JSON.stringify(e.AccessPolicies).includes('AmazonEKSClusterAdminPolicy'),
    );
    const principals = admins.map((e) => JSON.stringify(e.PrincipalArn));
    // The kubectl provider's own role is the only other admin (aws-eks-v2 needs it to apply manifests).
    expect(principals.filter((p) => p.includes('conduit-platform-admin'))).toEqual([
      JSON.stringify(`arn:aws:iam::${account}:role/conduit-platform-admin`),
    ]);
    expect(admins.length).toBe(c.adminRoleNames.length + 1);
    const viewer = entries.find((e) => e.PrincipalArn === `arn:aws:iam::${account}:role/conduit-developer`);
    const [viewPolicy] = viewer!.AccessPolicies as { PolicyArn: unknown; AccessScope: unknown }[];
    expect(JSON.stringify(viewPolicy!.PolicyArn)).toMatch(/cluster-access-policy\/AmazonEKSViewPolicy"/);
    expect(viewPolicy!.AccessScope).toEqual({ Type: 'namespace', Namespaces: ['conduit'] });
  });

  it('installs the managed add-ons, EBS CSI with its Pod Identity, and a default encrypted gp3 StorageClass', () => {
    const addons = resourcesOfType(stage, 'Cluster', 'AWS::EKS::Addon').map(
      ([, r]) => r.Properties!.AddonName,
    );
    expect(addons.sort()).toEqual([
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'vpc-cni',
    ]);
    const ebsRole = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('AmazonEBSCSIDriverPolicy'),
    );
    expect(ebsRole).toBeDefined();
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system',
      ServiceAccount: 'ebs-csi-controller-sa',
      RoleArn: { 'Fn::GetAtt': [ebsRole![0], 'Arn'] },
    });
    const storageClass = resourcesOfType(stage, 'Cluster', 'Custom::AWSCDK-EKS-KubernetesResource')
      .flatMap(([, r]) => parseJsonProperty(r.Properties!.Manifest) as Record<string, unknown>[])
      .find((m) => m.kind === 'StorageClass');
    expect(storageClass).toMatchObject({
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
    });
  });

  it('runs a tainted system node group in private subnets with IMDSv2 and encrypted volumes', () => {
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      NodegroupName: 'system',
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: [c.systemNodes.instanceType],
      ScalingConfig: {
        MinSize: c.systemNodes.minSize,
        DesiredSize: c.systemNodes.desiredSize,
        MaxSize: c.systemNodes.maxSize,
      },
      Taints: [{ Key: 'CriticalAddonsOnly', Value: 'true', Effect: 'NO_SCHEDULE' }],
    });
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 50, VolumeType: 'gp3' } },
        ],
        SecurityGroupIds: Match.arrayWith([
          Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['ClusterSecurityGroupId']) }),
        ]),
      }),
    });
    const nodegroup = resourcesOfType(stage, 'Cluster', 'AWS::EKS::Nodegroup')[0]![1];
    expect(JSON.stringify(nodegroup.Properties!.Subnets)).toMatch(/privateSubnet/);
  });

  it('installs Karpenter with its interruption queue, node access entry and a capped NodePool', () => {
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'karpenter',
      Repository: 'oci://public.ecr.aws/karpenter/karpenter',
      Namespace: 'kube-system',
      Version: Match.stringLikeRegexp('^1\\.'),
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `conduit-${stage}-karpenter`,
      SqsManagedSseEnabled: true,
    });
    t.resourceCountIs('AWS::Events::Rule', 4);
    t.hasResourceProperties('AWS::EKS::AccessEntry', {
      Type: 'EC2_LINUX',
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KarpenterNodeRole'), 'Arn'] },
    });
    const manifests = resourcesOfType(stage, 'Cluster', 'Custom::AWSCDK-EKS-KubernetesResource').flatMap(
      ([, r]) => parseJsonProperty(r.Properties!.Manifest) as Record<string, unknown>[],
    );
    const nodePool = manifests.find((m) => m.kind === 'NodePool') as
      | { spec: { limits: unknown; template: { spec: { requirements: unknown[] } } } }
      | undefined;
    expect(nodePool?.spec.limits).toEqual({ cpu: c.karpenterCpuLimit });
    expect(nodePool?.spec.template.spec.requirements).toContainEqual({
      key: 'karpenter.sh/capacity-type',
      operator: 'In',
      values: [...c.karpenterCapacityTypes],
    });
    const nodeClass = manifests.find((m) => m.kind === 'EC2NodeClass') as
      | { spec: Record<string, unknown> }
      | undefined;
    expect(nodeClass?.spec.subnetSelectorTerms).toEqual([
      { tags: { 'karpenter.sh/discovery': `conduit-${stage}` } },
    ]);
    expect(nodeClass?.spec.metadataOptions).toEqual({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(JSON.stringify(nodeClass?.spec.securityGroupSelectorTerms)).toMatch(/DbClients/);
  });

  it('scopes the Karpenter controller to resources tagged for this cluster', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.karpenter);
    const terminate = statements.find((s) => actions(s).includes('ec2:TerminateInstances'))!;
    expect(terminate.Condition).toMatchObject({
      StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/conduit-${stage}`]: 'owned' },
    });
    const pass = statements.find((s) => actions(s).includes('iam:PassRole'))!;
    expect(JSON.stringify(pass.Resource)).toMatch(/KarpenterNodeRole/);
    for (const s of statements) {
      if (resourceList(s).includes('*')) {
        expect(
          actions(s).every((a) => /^(ec2:Describe|pricing:Get)/.test(a)),
          JSON.stringify(s),
        ).toBe(true);
      }
    }
  });

  it('lets the Load Balancer Controller mutate only load balancers tagged with our cluster', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.loadBalancerController);
    const mutate = statements.find((s) => actions(s).includes('elasticloadbalancing:DeleteLoadBalancer'))!;
    expect(mutate.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': `conduit-${stage}` },
    });
    const create = statements.find((s) => actions(s).includes('elasticloadbalancing:CreateLoadBalancer'))!;
    expect(create.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': `conduit-${stage}` },
    });
    for (const s of statements.filter((s) => resourceList(s).includes('*'))) {
      expect(
        actions(s).every((a) => /:(Describe|Get|List)/.test(a)),
        JSON.stringify(actions(s)),
      ).toBe(true);
    }
  });

  it('lets External Secrets read only conduit/<stage>/ secrets (the DB secret conduit/<stage>/db among them)', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.externalSecrets);
    const read = statements.find((s) => actions(s).includes('secretsmanager:GetSecretValue'))!;
    expect(resourceList(read)).toEqual([
      `arn:aws:secretsmanager:us-east-1:${account}:secret:conduit/${stage}/*`,
    ]);
    const decrypt = statements.find((s) => actions(s).includes('kms:Decrypt'))!;
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    });
  });

  const containerRetention = { dev: 7, staging: 30, prod: 90 }[stage];
  it(`owns /conduit/${stage}/containers (${containerRetention} days, default encryption); Fluent Bit only writes to it`, () => {
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: `/conduit/${stage}/containers`,
        RetentionInDays: containerRetention,
        KmsKeyId: Match.absent(),
      },
      DeletionPolicy: 'Delete',
    });
    const ours = resourcesOfType(stage, 'Cluster', 'AWS::Logs::LogGroup')
      .map(([, r]) => r.Properties!.LogGroupName)
      .filter((n) => typeof n === 'string' && n.startsWith('/conduit/'));
    expect(ours).toEqual([`/conduit/${stage}/containers`]);
    const statements = podPolicy(SERVICE_ACCOUNTS.fluentBit);
    expect(statements).toHaveLength(1);
    expect(actions(statements[0]!).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
    ]);
    expect(statements[0]!.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ContainerLogs/), 'Arn'],
    });
  });

  it('lets Argo Rollouts only describe load balancers and target groups', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.argoRollouts);
    expect(statements.flatMap(actions).every((a) => a.startsWith('elasticloadbalancing:Describe'))).toBe(
      true,
    );
    expect(statements.flatMap(actions)).toContain('elasticloadbalancing:DescribeTargetGroups');
  });

  it('lets the ops CronJobs (conduit/conduit-ops) snapshot and prune only our DB, use only our backup bucket and read the DB secret', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.opsJobs);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    const snapshotArn = `arn:aws:rds:us-east-1:${account}:snapshot:conduit-${stage}-*`;
    const snapshot = bySid('SnapshotOurDatabase');
    expect(actions(snapshot).sort()).toEqual([
      'rds:AddTagsToResource',
      'rds:CreateDBSnapshot',
      'rds:DescribeDBInstances',
      'rds:DescribeDBSnapshots',
    ]);
    expect(resourceList(snapshot)).toHaveLength(2);
    expect(resourceList(snapshot)).toContain(snapshotArn);
    expect(JSON.stringify(resourceList(snapshot))).toMatch(
      /:db:",\{"Fn::GetStackOutput":\{[^}]*RefDatabaseInstance/,
    );
    expect(bySid('PruneOurSnapshots')).toMatchObject({
      Action: 'rds:DeleteDBSnapshot',
      Resource: snapshotArn,
    });
    const bucket = `arn:aws:s3:::conduit-${stage}-backups-${account}`;
    const objects = bySid('ReadWriteOurBackupBucket');
    expect(actions(objects).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(objects.Resource).toBe(`${bucket}/*`);
    expect(bySid('ListOurBackupBucket')).toMatchObject({ Action: 's3:ListBucket', Resource: bucket });
    const secret = bySid('ReadOurDatabaseSecret');
    expect(actions(secret)).toContain('secretsmanager:GetSecretValue');
    expect(secret.Resource).toBe(
      `arn:aws:secretsmanager:us-east-1:${account}:secret:conduit/${stage}/db-??????`,
    );
    expect(bySid('DecryptThroughSecretsManager').Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    });
    // Versions, locks and restores stay with people: the job can only add delete markers.
    for (const forbidden of [
      's3:DeleteObjectVersion',
      's3:BypassGovernanceRetention',
      's3:PutObjectRetention',
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:DeleteDBInstance',
    ]) {
      expect(statements.flatMap(actions)).not.toContain(forbidden);
    }
  });

  it('lets the ADOT collector (observability/adot-collector) only send X-Ray traces in our region', () => {
    expect(podPolicy(SERVICE_ACCOUNTS.adotCollector)).toEqual([
      {
        Sid: 'SendTraces',
        Effect: 'Allow',
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
      },
    ]);
  });

  it('lets Grafana (monitoring/grafana) only read CloudWatch metrics and alarms in our region', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.grafana);
    expect(statements).toHaveLength(1);
    const allowed = actions(statements[0]!);
    expect(allowed).toEqual(expect.arrayContaining(['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']));
    expect(
      allowed.every((a) => /^(cloudwatch|tag):(Get|List|Describe)/.test(a)),
      allowed.join(),
    ).toBe(true);
    expect(statements[0]!.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } });
  });

  it('lets external-dns change only our hosted zone', () => {
    const statements = podPolicy(SERVICE_ACCOUNTS.externalDns);
    const change = statements.find((s) => actions(s).includes('route53:ChangeResourceRecordSets'))!;
    expect(JSON.stringify(change.Resource)).toMatch(/Zone/);
    expect(statements.filter((s) => resourceList(s).includes('*')).flatMap(actions)).toEqual([
      'route53:ListHostedZones',
    ]);
  });

  it('trusts only EKS Pod Identity in every workload role', () => {
    const associations = resourcesOfType(stage, 'Cluster', 'AWS::EKS::PodIdentityAssociation');
    expect(
      associations.map(([, r]) => `${r.Properties!.Namespace}/${r.Properties!.ServiceAccount}`).sort(),
    ).toEqual(
      // The platform's service accounts and each workload of the stage that calls AWS.
      [
        ...Object.values(SERVICE_ACCOUNTS),
        ...workloadsIn(stage)
          .filter(({ workload }) => workload.aws)
          .map(({ workload }) => workloadServiceAccount(workload.name)),
      ]
        .map((sa) => `${sa.namespace}/${sa.name}`)
        .sort(),
    );
    for (const [, a] of associations) {
      const roleId = (a.Properties!.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      expect(resources[roleId]!.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
          },
        ],
      });
    }
  });

  it('grants no wildcard action anywhere (no admin-by-policy)', () => {
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::Role') continue;
      const docs =
        r.Type === 'AWS::IAM::Policy'
          ? [r.Properties.PolicyDocument]
          : ((r.Properties.Policies as { PolicyDocument: unknown }[]) ?? []).map((p) => p.PolicyDocument);
      for (const doc of docs as { Statement: Statement[] }[]) {
        for (const s of doc.Statement) {
          for (const a of actions(s)) expect(a === '*' || a.endsWith(':*'), `${id}: ${a}`).toBe(false);
        }
      }
      expect(JSON.stringify(r.Properties.ManagedPolicyArns ?? [])).not.toMatch(
        /AdministratorAccess|PowerUserAccess/,
      );
    }
  });

  it('installs the AWS Load Balancer Controller (pinned) with the real VPC id, before the app-of-apps', () => {
    const charts = resourcesOfType(stage, 'Cluster', 'Custom::AWSCDK-EKS-HelmChart').filter(
      ([, r]) => r.Properties!.Chart === 'aws-load-balancer-controller',
    );
    expect(charts).toHaveLength(1);
    const [chartId, chart] = charts[0]! as [
      string,
      { Properties: Record<string, unknown>; DependsOn: string[] },
    ];
    expect(chart.Properties).toMatchObject({
      Repository: 'https://aws.github.io/eks-charts',
      Release: 'aws-load-balancer-controller',
      Namespace: SERVICE_ACCOUNTS.loadBalancerController.namespace,
      Version: '1.13.4',
      Wait: true,
    });
    // Values are JSON with the VPC id spliced in from the network stack: a reference, never a literal id.
    const parts = (chart.Properties.Values as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts[1]).toEqual({
      'Fn::GetStackOutput': {
        StackName: `conduit-${stage}-network`,
        Region: 'us-east-1',
        OutputName: expect.stringMatching(/^PublishOutputRefVpc[0-9A-F]{8}/),
      },
    });
    const values = JSON.parse(`${parts[0]}vpc-0123456789abcdef0${parts[2]}`);
    expect(values).toMatchObject({
      clusterName: `conduit-${stage}`,
      region: 'us-east-1',
      vpcId: 'vpc-0123456789abcdef0',
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.loadBalancerController.name },
      enableServiceMutatorWebhook: false,
    });
    expect(JSON.stringify(chart.Properties.Values)).not.toMatch(/vpc-0/);
    // Credentials exist before its pods start; Argo CD syncs app pods (readiness gates) only after it.
    expect(chart.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^LoadBalancerControllerAssociation/)]),
    );
    const appOfApps = Object.entries(resources).find(([id]) => id.startsWith('ClustermanifestAppOfApps'))!;
    expect((appOfApps[1] as unknown as { DependsOn: string[] }).DependsOn).toContain(chartId);
  });

  it('bootstraps Argo CD and applies the root Application exactly as deploy/k8s rendered it', () => {
    t.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'argo-cd',
      Repository: 'https://argoproj.github.io/argo-helm',
      Namespace: 'argocd',
      Version: Match.stringLikeRegexp('^\\d+\\.\\d+\\.\\d+$'),
    });
    const applications = resourcesOfType(stage, 'Cluster', 'Custom::AWSCDK-EKS-KubernetesResource')
      .flatMap(([, r]) => parseJsonProperty(r.Properties!.Manifest) as Record<string, unknown>[])
      .filter((m) => m.kind === 'Application');
    // The kubectl provider adds its prune label; everything else is the rendered root.
    const { labels, ...metadata } = applications[0]!.metadata as { labels: Record<string, string> };
    const root = renderedRoot(stage);
    const { labels: renderedLabels, ...renderedMetadata } = root.metadata as {
      labels?: Record<string, string>;
    };
    expect(applications).toHaveLength(1);
    expect({ ...applications[0], metadata }).toEqual({ ...root, metadata: renderedMetadata });
    expect(labels).toMatchObject(renderedLabels ?? {});
    expect(root.metadata.name).toBe(argoApplicationNames.root(stage));
  });

  it('outputs the cluster name and the update-kubeconfig command', () => {
    t.hasOutput('ClusterName', { Value: { Ref: Match.stringLikeRegexp('^Cluster') } });
    t.hasOutput('UpdateKubeconfigCommand', {
      Value: `aws eks update-kubeconfig --name conduit-${stage} --region us-east-1`,
    });
  });
});
