import { originSecurityGroupName, publicSubnetCidrs, STAGE_NAMES, STAGES } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { NetworkStack } from '../lib/stacks/network-stack.js';
import { resourcesOfType, template, templateJson } from './templates.js';

describe.each(STAGE_NAMES)('network stack (%s)', (stage) => {
  const t = template(stage, 'Network');
  const azs = STAGES[stage].network.azCount;

  it('spans 10.0.0.0/16 with public, private and isolated database subnets in every AZ', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    t.resourceCountIs('AWS::EC2::Subnet', azs * 3);
    const subnets = resourcesOfType(stage, 'Network', 'AWS::EC2::Subnet').map(([, r]) => r.Properties!);
    const byType = (type: string) =>
      subnets.filter((s) =>
        (s.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === type,
        ),
      );
    expect(byType('Public')).toHaveLength(azs);
    expect(byType('Private')).toHaveLength(azs);
    expect(byType('Isolated')).toHaveLength(azs);
    expect(new Set(subnets.map((s) => s.AvailabilityZone)).size).toBe(azs);
    for (const s of byType('Public')) expect(s.MapPublicIpOnLaunch).toBe(true);
    for (const s of [...byType('Private'), ...byType('Isolated')]) expect(s.MapPublicIpOnLaunch).toBe(false);
  });

  it('carves the VPC and database subnets the model gives deploy/k8s for its egress policies', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: STAGES[stage].network.vpcCidr });
    const database = resourcesOfType(stage, 'Network', 'AWS::EC2::Subnet')
      .map(([, r]) => r.Properties!)
      .filter((s) =>
        (s.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === 'aws-cdk:subnet-name' && tag.Value === 'database',
        ),
      );
    expect(database.map((s) => s.CidrBlock)).toEqual([...STAGES[stage].network.databaseSubnetCidrs]);
  });

  it('carves the public subnets (the ALB) the model gives deploy/k8s for its ingress policies', () => {
    const publicSubnets = resourcesOfType(stage, 'Network', 'AWS::EC2::Subnet')
      .map(([, r]) => r.Properties!)
      .filter((s) =>
        (s.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === 'Public',
        ),
      );
    expect(publicSubnets.map((s) => s.CidrBlock)).toEqual(publicSubnetCidrs(STAGES[stage].network));
    // The ALB's subnets are the ones the Load Balancer Controller picks for an internet-facing ALB.
    for (const s of publicSubnets)
      expect(s.Tags).toContainEqual({ Key: 'kubernetes.io/role/elb', Value: '1' });
  });

  it(`has ${STAGES[stage].network.natGateways} NAT gateway(s) and routes only private subnets through them`, () => {
    t.resourceCountIs('AWS::EC2::NatGateway', STAGES[stage].network.natGateways);
    t.resourceCountIs('AWS::EC2::Route', azs /* public -> IGW */ + azs /* private -> NAT */);
  });

  it('tags subnets for the AWS Load Balancer Controller and Karpenter', () => {
    const tagged = (key: string, value: string) =>
      resourcesOfType(stage, 'Network', 'AWS::EC2::Subnet').filter(([, r]) =>
        (r.Properties!.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === key && tag.Value === value,
        ),
      );
    expect(tagged('kubernetes.io/role/elb', '1')).toHaveLength(azs);
    expect(tagged('kubernetes.io/role/internal-elb', '1')).toHaveLength(azs);
    expect(tagged('karpenter.sh/discovery', `conduit-${stage}`)).toHaveLength(azs);
    // Internal load balancers must never land in the database subnets.
    for (const [, r] of tagged('karpenter.sh/discovery', `conduit-${stage}`)) {
      expect(r.Properties!.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Private' });
    }
  });

  it('has endpoints for S3 (gateway), ECR api/dkr, STS, CloudWatch Logs and Secrets Manager', () => {
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    const services = resourcesOfType(stage, 'Network', 'AWS::EC2::VPCEndpoint')
      .filter(([, r]) => r.Properties!.VpcEndpointType === 'Interface')
      .map(([, r]) => r.Properties!.ServiceName as string);
    expect(services.sort()).toEqual(
      ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sts']
        .map((s) => `com.amazonaws.us-east-1.${s}`)
        .sort(),
    );
    for (const [, r] of resourcesOfType(stage, 'Network', 'AWS::EC2::VPCEndpoint')) {
      if (r.Properties!.VpcEndpointType === 'Interface') expect(r.Properties!.PrivateDnsEnabled).toBe(true);
    }
  });

  it('lets only the VPC reach the interface endpoints, on 443', () => {
    const groups = resourcesOfType(stage, 'Network', 'AWS::EC2::SecurityGroup').filter(([id]) =>
      /EcrApi|EcrDocker|Sts|Logs|SecretsManager/.test(id),
    );
    expect(groups).toHaveLength(5);
    for (const [, g] of groups) {
      expect(g.Properties!.SecurityGroupIngress).toEqual([
        expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ]);
    }
  });

  it('records all traffic in flow logs with a retention', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: STAGES[stage].network.flowLogRetentionDays,
    });
  });

  it('gives the public load balancer a security group that admits HTTPS from CloudFront only', () => {
    const groups = resourcesOfType(stage, 'Network', 'AWS::EC2::SecurityGroup').filter(([, r]) =>
      (r.Properties!.Tags as { Key: string; Value: string }[]).some(
        (tag) => tag.Key === 'Name' && tag.Value === originSecurityGroupName(stage),
      ),
    );
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0]!;
    expect(group.Properties!.SecurityGroupIngress).toBeUndefined();
    const rules = resourcesOfType(stage, 'Network', 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties!)
      .filter((p) => (p.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt']?.[0] === groupId);
    // The only rule: 443 from the prefix list the template's mapping names as CloudFront's origin-facing one.
    expect(rules).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourcePrefixListId: { 'Fn::FindInMap': ['CloudFrontOriginFacing', 'us-east-1', 'PrefixListId'] },
      }),
    ]);
    const mappings = templateJson(stage, 'Network').Mappings as Record<string, Record<string, unknown>>;
    expect(mappings.CloudFrontOriginFacing).toEqual({
      'us-east-1': {
        PrefixListId: 'pl-3b927c52',
        PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing',
      },
    });
  });

  it('creates the public hosted zone for the stage domain', () => {
    t.hasResourceProperties('AWS::Route53::HostedZone', { Name: `${STAGES[stage].edge.domainName}.` });
  });
});

describe('the CloudFront origin-facing prefix list', () => {
  it('stops synthesis for a region without its id, naming the table and the command that finds it', () => {
    const stage = STAGES.dev;
    expect(
      () =>
        new NetworkStack(new App(), 'Network', {
          env: { account: '111111111111', region: 'eu-west-3' },
          network: stage.network,
          clusterName: 'conduit-dev',
          region: 'eu-west-3',
          originSecurityGroupName: originSecurityGroupName('dev'),
          router: stage.options.router,
          domainName: stage.edge.domainName,
          availabilityZones: ['eu-west-3a', 'eu-west-3b'],
        }),
    ).toThrow(
      'NetworkStack: no com.amazonaws.global.cloudfront.origin-facing prefix list id for region eu-west-3: add it to CLOUDFRONT_ORIGIN_FACING_IDS (aws ec2 describe-managed-prefix-lists --region eu-west-3',
    );
  });
});
