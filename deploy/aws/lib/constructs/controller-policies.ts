import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * The AWS Load Balancer Controller's policy, after the controller's published iam_policy.json, tightened
 * so that every mutation is conditioned on the `elbv2.k8s.aws/cluster` tag naming *our* cluster.
 * Describe/list calls of ELB, EC2, ACM, WAF and Shield support no resource-level scoping.
 */
export function loadBalancerControllerStatements(
  scope: Construct,
  clusterName: string,
  vpcId: string,
): iam.PolicyStatement[] {
  const { region, account, partition } = Stack.of(scope);
  const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:${account}:${resource}`;
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:${region}:${account}:${resource}`;
  const ours = { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': clusterName } };
  const tagsOnCreate = { StringEquals: { 'aws:RequestTag/elbv2.k8s.aws/cluster': clusterName } };
  const loadBalancers = [elb('loadbalancer/app/*/*'), elb('loadbalancer/net/*/*'), elb('targetgroup/*/*')];
  return [
    new iam.PolicyStatement({
      sid: 'ReadOnly',
      actions: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:DescribeRouteTables',
        'ec2:GetSecurityGroupsForVpc',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeCapacityReservation',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateSecurityGroupInOurVpc',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [ec2(`vpc/${vpcId}`), ec2('security-group/*')],
    }),
    new iam.PolicyStatement({
      sid: 'TagNewSecurityGroups',
      actions: ['ec2:CreateTags'],
      resources: [ec2('security-group/*')],
      conditions: { ...tagsOnCreate, StringEqualsIfExists: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOurSecurityGroups',
      actions: [
        'ec2:CreateTags',
        'ec2:DeleteTags',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      resources: [ec2('security-group/*')],
      conditions: { StringEquals: { 'ec2:Vpc': ec2(`vpc/${vpcId}`) } },
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedLoadBalancers',
      actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      resources: loadBalancers,
      conditions: tagsOnCreate,
    }),
    new iam.PolicyStatement({
      sid: 'TagOnCreate',
      actions: ['elasticloadbalancing:AddTags'],
      resources: loadBalancers,
      conditions: {
        ...tagsOnCreate,
        StringEquals: {
          ...tagsOnCreate.StringEquals,
          'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOurLoadBalancers',
      actions: [
        'elasticloadbalancing:AddTags',
        'elasticloadbalancing:RemoveTags',
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:RegisterTargets',
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:SetWebAcl',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
      ],
      resources: [
        ...loadBalancers,
        elb('listener/app/*/*/*'),
        elb('listener/net/*/*/*'),
        elb('listener-rule/app/*/*/*/*'),
        elb('listener-rule/net/*/*/*/*'),
      ],
      conditions: ours,
    }),
  ];
}

/**
 * Karpenter's controller policy, after the Karpenter v1 reference CloudFormation: instances,
 * launch templates and instance profiles it creates must carry our cluster's tags, and it may only
 * delete what carries them. Regional describe calls and pricing have no resource-level scoping.
 */
export function karpenterControllerStatements(
  scope: Construct,
  props: { clusterName: string; clusterArn: string; nodeRoleArn: string; queueArn: string },
): iam.PolicyStatement[] {
  const { region, account, partition } = Stack.of(scope);
  const ec2 = (resource: string) => `arn:${partition}:ec2:${region}:*:${resource}`;
  const owned = `kubernetes.io/cluster/${props.clusterName}`;
  const created = [
    'fleet/*',
    'instance/*',
    'volume/*',
    'network-interface/*',
    'launch-template/*',
    'spot-instances-request/*',
  ].map(ec2);
  const instanceProfiles = `arn:${partition}:iam::${account}:instance-profile/*`;
  return [
    new iam.PolicyStatement({
      sid: 'LaunchFromSharedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        `arn:${partition}:ec2:${region}::image/*`,
        `arn:${partition}:ec2:${region}::snapshot/*`,
        ec2('security-group/*'),
        ec2('subnet/*'),
        ec2('capacity-reservation/*'),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'LaunchFromOurLaunchTemplates',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [ec2('launch-template/*')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'CreateOnlyTagged',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate', 'ec2:CreateTags'],
      resources: created,
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${owned}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': props.clusterName,
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'RetagOrDeleteOurs',
      actions: ['ec2:CreateTags', 'ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      resources: [ec2('instance/*'), ec2('launch-template/*')],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'RegionalRead',
      actions: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
        'pricing:GetProducts',
      ],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': region } },
    }),
    new iam.PolicyStatement({
      sid: 'AmiParameters',
      actions: ['ssm:GetParameter'],
      resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`],
    }),
    new iam.PolicyStatement({
      sid: 'InterruptionQueue',
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [props.queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'PassNodeRole',
      actions: ['iam:PassRole'],
      resources: [props.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
    }),
    new iam.PolicyStatement({
      sid: 'CreateTaggedInstanceProfiles',
      actions: ['iam:CreateInstanceProfile', 'iam:TagInstanceProfile'],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${owned}`]: 'owned',
          'aws:RequestTag/eks:eks-cluster-name': props.clusterName,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ManageOurInstanceProfiles',
      actions: [
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
      ],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${owned}`]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ReadInstanceProfiles',
      actions: ['iam:GetInstanceProfile'],
      resources: [instanceProfiles],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeOurCluster',
      actions: ['eks:DescribeCluster'],
      resources: [props.clusterArn],
    }),
  ];
}
