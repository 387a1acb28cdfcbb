import type { Stage } from '@conduit/platform';
import { CfnMapping, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { StageEnvironment } from '../environment.js';

/** The AWS-managed prefix list of CloudFront's addresses towards origins. */
export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';
/**
 * Its id per region, as AWS publishes it (`aws ec2 describe-managed-prefix-lists --filters
 * Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing`): a mapping in the template, so
 * synth looks nothing up and the template says which list the id is. The model keeps every stage in
 * us-east-1; a new region is one more row.
 */
export const CLOUDFRONT_ORIGIN_FACING_IDS: Readonly<Record<string, string>> = { 'us-east-1': 'pl-3b927c52' };

export interface NetworkStackProps extends StackProps {
  /** The stage's network: VPC range, NAT gateways, AZ count, flow log retention. */
  readonly network: Stage['network'];
  /** The EKS cluster's name (`clusterName`), which tags the subnets its load balancers and nodes use. */
  readonly clusterName: string;
  /** Region the stage's load balancer runs in: picks the CloudFront origin-facing prefix list id. */
  readonly region: string;
  /** Name tag of the public load balancer's security group (`originSecurityGroupName`), which deploy/k8s names. */
  readonly originSecurityGroupName: string;
  /** The stage's router: `nginx` also opens port 80 to ACME HTTP-01 challenges. */
  readonly router: Stage['options']['router'];
  /** Domain name of the public hosted zone (the stage's `edge.domainName`). */
  readonly domainName: string;
  /** The account's availability zones the VPC spans (the environment's). */
  readonly availabilityZones: StageEnvironment['availabilityZones'];
}

/**
 * The longest-lived layer: VPC, subnets, NAT, endpoints, flow logs and the public hosted zone. Nothing
 * here changes when the cluster or the database is rebuilt.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly zone: route53.PublicHostedZone;
  /** Attached to every node (system and Karpenter); the database admits only this group. */
  readonly dbClientSecurityGroup: ec2.SecurityGroup;
  /** The public load balancer's group: HTTPS from CloudFront only (deploy/k8s names it in its annotations). */
  readonly originSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { network } = props;
    const cluster = props.clusterName;
    const vpcCidr = network.vpcCidr;
    if (network.natGateways < 1 || network.natGateways > network.azCount) {
      throw new Error(`network.natGateways (${network.natGateways}) must be between 1 and azCount`);
    }

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: network.flowLogRetentionDays as logs.RetentionDays,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(vpcCidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: network.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // Large private subnets: with the VPC CNI every pod takes a VPC address.
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    // The AWS Load Balancer Controller picks subnets by these role tags; Karpenter by its discovery tag.
    for (const subnet of this.vpc.publicSubnets) {
      tag(subnet, 'kubernetes.io/role/elb', '1');
    }
    for (const subnet of this.vpc.privateSubnets) {
      tag(subnet, 'kubernetes.io/role/internal-elb', '1');
      tag(subnet, 'karpenter.sh/discovery', cluster);
    }

    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const interfaceEndpoints = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    };
    for (const [id, service] of Object.entries(interfaceEndpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(id, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        open: false,
      });
      endpoint.connections.allowFrom(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    }

    this.dbClientSecurityGroup = new ec2.SecurityGroup(this, 'DbClients', {
      vpc: this.vpc,
      description: `Nodes of ${cluster}; the only source the database accepts`,
      allowAllOutbound: true,
    });

    this.originSecurityGroup = this.addOriginSecurityGroup(props);

    this.zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: props.domainName });
  }

  /**
   * The load balancer the Load Balancer Controller makes from the router's annotations answers only
   * CloudFront: anyone reaching it directly would skip WAF, the rate limit and the security headers.
   */
  private addOriginSecurityGroup(props: NetworkStackProps): ec2.SecurityGroup {
    const region = props.region;
    const id = CLOUDFRONT_ORIGIN_FACING_IDS[region];
    if (!id) {
      throw new Error(
        `NetworkStack: no ${CLOUDFRONT_ORIGIN_FACING} prefix list id for region ${region}: add it to CLOUDFRONT_ORIGIN_FACING_IDS (aws ec2 describe-managed-prefix-lists --region ${region} --filters Name=prefix-list-name,Values=${CLOUDFRONT_ORIGIN_FACING})`,
      );
    }
    const mapping = new CfnMapping(this, 'CloudFrontOriginFacing', {
      mapping: { [region]: { PrefixListId: id, PrefixListName: CLOUDFRONT_ORIGIN_FACING } },
    });
    const name = props.originSecurityGroupName;
    const group = new ec2.SecurityGroup(this, 'OriginSecurityGroup', {
      vpc: this.vpc,
      description: `${name}: the public load balancer, reachable from CloudFront only`,
      // The load balancer connects to the pods; the controller adds the matching rules on the node side.
      allowAllOutbound: true,
    });
    Tags.of(group).add('Name', name);
    group.addIngressRule(
      ec2.Peer.prefixList(mapping.findInMap(region, 'PrefixListId')),
      ec2.Port.tcp(443),
      'HTTPS from CloudFront origin-facing addresses only',
    );
    if (props.router === 'nginx') {
      // cert-manager's HTTP-01 challenge comes from Let's Encrypt's (unpublished) addresses on port 80;
      // ingress-nginx answers every other port-80 request with a redirect to HTTPS, which only CloudFront
      // can reach.
      group.addIngressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(80),
        'ACME HTTP-01 challenges (redirects otherwise)',
      );
      Validations.of(group).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'Port 80 is open for ACME HTTP-01 challenges only; ingress-nginx redirects every other request to HTTPS, which admits CloudFront alone.',
      });
    }
    return group;
  }
}

function tag(subnet: ec2.ISubnet, key: string, value: string): void {
  Tags.of(subnet).add(key, value);
}
