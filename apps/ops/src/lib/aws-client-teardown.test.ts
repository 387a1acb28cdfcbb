import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsApi } from './aws-client.js';

const CFN = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"';
const R53 = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"';
const ELB = 'xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"';
const EC2 = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
const CLUSTER_TAG = { key: 'elbv2.k8s.aws/cluster', value: 'conduit-dev' };

/** ELBv2 answers in pages (Marker), EC2 too (NextToken): the adapter must follow every page. */
function elbPage(kind: 'LoadBalancers' | 'TargetGroups', marker: string | null): string {
  const field = kind === 'LoadBalancers' ? 'LoadBalancer' : 'TargetGroup';
  const page = marker === 'p2' ? ['b'] : ['a', 'other'];
  const members = page
    .map(
      (n) =>
        `<member><${field}Arn>arn:${kind}:${n}</${field}Arn><${field}Name>k8s-${n}</${field}Name></member>`,
    )
    .join('');
  const next = marker === 'p2' ? '' : '<NextMarker>p2</NextMarker>';
  return `<Describe${kind}Response ${ELB}><Describe${kind}Result><${kind}>${members}</${kind}>${next}</Describe${kind}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></Describe${kind}Response>`;
}

/** Tags of the ARNs asked for: `other` belongs to another cluster. */
function elbTags(params: URLSearchParams): string {
  const arns = [...params.entries()].filter(([k]) => k.startsWith('ResourceArns.member.')).map(([, v]) => v);
  const members = arns
    .map(
      (arn) =>
        `<member><ResourceArn>${arn}</ResourceArn><Tags><member><Key>elbv2.k8s.aws/cluster</Key><Value>${arn.endsWith(':other') ? 'someone-else' : 'conduit-dev'}</Value></member></Tags></member>`,
    )
    .join('');
  return `<DescribeTagsResponse ${ELB}><DescribeTagsResult><TagDescriptions>${members}</TagDescriptions></DescribeTagsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeTagsResponse>`;
}

/**
 * CloudFormation, ELBv2 and EC2 (query protocols) and Route 53 (REST-XML) as one loopback server, reached
 * through the SDK's own AWS_ENDPOINT_URL setting: the adapter's requests and its reading of the answers
 * (pages, tags, filters) are the real SDK's.
 */
describe('AWS SDK v3 adapter, teardown calls (fake CloudFormation, Route 53, ELBv2 and EC2 on loopback)', () => {
  let server: Server;
  const seen: { method: string; url: string; body: string }[] = [];
  const saved = new Map<string, string | undefined>();
  const env = (key: string, value: string) => {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    process.env[key] = value;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body });
        const xml = (status: number, text: string) =>
          res.writeHead(status, { 'content-type': 'text/xml' }).end(text);
        const params = new URLSearchParams(body);
        const action = params.get('Action');
        const stack = params.get('StackName');
        if (action === 'DescribeLoadBalancers' || action === 'DescribeTargetGroups') {
          xml(
            200,
            elbPage(
              action === 'DescribeLoadBalancers' ? 'LoadBalancers' : 'TargetGroups',
              params.get('Marker'),
            ),
          );
        } else if (action === 'DescribeTags') {
          xml(200, elbTags(params));
        } else if (action === 'DescribeInstances') {
          const second = params.get('NextToken') === 't2';
          xml(
            200,
            `<DescribeInstancesResponse ${EC2}><requestId>1</requestId><reservationSet><item><reservationId>r-${second ? 2 : 1}</reservationId><instancesSet><item><instanceId>i-${second ? 2 : 1}</instanceId><instanceState><code>${second ? 32 : 16}</code><name>${second ? 'shutting-down' : 'running'}</name></instanceState></item></instancesSet></item></reservationSet>${second ? '' : '<nextToken>t2</nextToken>'}</DescribeInstancesResponse>`,
          );
        } else if (action === 'DescribeVpcs') {
          xml(
            200,
            `<DescribeVpcsResponse ${EC2}><requestId>1</requestId><vpcSet><item><vpcId>vpc-0dev</vpcId><cidrBlock>10.0.0.0/16</cidrBlock></item></vpcSet></DescribeVpcsResponse>`,
          );
        } else if (action === 'DescribeNetworkInterfaces') {
          xml(
            200,
            `<DescribeNetworkInterfacesResponse ${EC2}><requestId>1</requestId><networkInterfaceSet><item><networkInterfaceId>eni-1</networkInterfaceId><description>ELB app/k8s-conduit/50dc6c495c0c9188</description><status>in-use</status></item><item><networkInterfaceId>eni-2</networkInterfaceId><status>available</status></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>`,
          );
        } else if (action === 'DescribeStacks' && stack === 'conduit-dev-edge') {
          xml(
            400,
            `<ErrorResponse ${CFN}><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id conduit-dev-edge does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
          );
        } else if (action === 'DescribeStacks') {
          xml(
            200,
            `<DescribeStacksResponse ${CFN}><DescribeStacksResult><Stacks><member><StackName>${stack}</StackName><StackStatus>DELETE_FAILED</StackStatus><StackStatusReason>The following resource(s) failed to delete: [Zone].</StackStatusReason><CreationTime>2025-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
          );
        } else if (action === 'DescribeStackEvents') {
          xml(
            200,
            `<DescribeStackEventsResponse ${CFN}><DescribeStackEventsResult><StackEvents><member><StackId>s</StackId><EventId>2</EventId><StackName>${stack}</StackName><LogicalResourceId>Zone</LogicalResourceId><ResourceStatus>DELETE_FAILED</ResourceStatus><ResourceStatusReason>The specified hosted zone contains non-required resource record sets and so cannot be deleted.</ResourceStatusReason><Timestamp>2025-01-01T00:00:00Z</Timestamp></member></StackEvents></DescribeStackEventsResult></DescribeStackEventsResponse>`,
          );
        } else if (req.method === 'GET' && req.url?.startsWith('/2013-04-01/hostedzone/ZDEV/rrset')) {
          xml(
            200,
            `<ListResourceRecordSetsResponse ${R53}><ResourceRecordSets><ResourceRecordSet><Name>origin.dev.conduit.example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>k8s-conduit.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet><ResourceRecordSet><Name>\\052.dev.conduit.example.com.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>"heritage=external-dns,external-dns/owner=default"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>`,
          );
        } else if (req.method === 'POST' && req.url?.startsWith('/2013-04-01/hostedzone/ZDEV/rrset')) {
          xml(
            200,
            `<ChangeResourceRecordSetsResponse ${R53}><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2025-01-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`,
          );
        } else {
          xml(500, '<Error><Code>Unexpected</Code></Error>');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    env('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
    env('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    env('AWS_SECRET_ACCESS_KEY', 'not-a-secret');
    env('AWS_EC2_METADATA_DISABLED', 'true');
  });

  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    server?.close();
  });

  it('a stack that does not exist is null; DELETE_FAILED carries the failed resource and its reason', async () => {
    const aws = createAwsApi('us-east-1');
    expect(await aws.describeStack('us-east-1', 'conduit-dev-edge')).toBeNull();
    expect(await aws.describeStack('us-east-1', 'conduit-dev-network')).toEqual({
      name: 'conduit-dev-network',
      status: 'DELETE_FAILED',
      reason:
        'Zone: The specified hosted zone contains non-required resource record sets and so cannot be deleted.',
    });
  });

  it('lists record sets and deletes them exactly as listed (alias targets, TTLs, values) in one batch', async () => {
    const aws = createAwsApi('us-east-1');
    const sets = await aws.listRecordSets('ZDEV');
    expect(sets).toEqual([
      {
        name: 'origin.dev.conduit.example.com.',
        type: 'A',
        values: [],
        alias: {
          hostedZoneId: 'Z35SXDOTRQ7X7K',
          dnsName: 'k8s-conduit.elb.amazonaws.com.',
          evaluateTargetHealth: true,
        },
      },
      {
        name: '*.dev.conduit.example.com.',
        type: 'TXT',
        ttl: 300,
        values: ['"heritage=external-dns,external-dns/owner=default"'],
      },
    ]);
    seen.length = 0;
    await aws.deleteRecordSets('ZDEV', sets);
    expect(seen).toHaveLength(1);
    const body = seen[0]!.body;
    expect(body.match(/<Action>DELETE<\/Action>/g)).toHaveLength(2);
    expect(body).toContain(
      '<AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>k8s-conduit.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>',
    );
    expect(body).toContain('<TTL>300</TTL>');
    expect(body).not.toMatch(/<Name>origin[^<]*<\/Name><Type>A<\/Type><TTL>/);
  });

  it('load balancers and target groups: every page, only those tagged for the cluster', async () => {
    const aws = createAwsApi('us-east-1');
    seen.length = 0;
    expect(await aws.listLoadBalancers([CLUSTER_TAG])).toEqual(['k8s-a', 'k8s-b']);
    expect(await aws.listTargetGroups([CLUSTER_TAG])).toEqual(['k8s-a', 'k8s-b']);
    const actions = seen.map((r) => new URLSearchParams(r.body).get('Action'));
    expect(actions).toEqual([
      'DescribeLoadBalancers',
      'DescribeLoadBalancers',
      'DescribeTags',
      'DescribeTargetGroups',
      'DescribeTargetGroups',
      'DescribeTags',
    ]);
    expect(new URLSearchParams(seen[1]!.body).get('Marker')).toBe('p2');
  });

  it('instances: every page, filtered by tag and live state; the VPC by tag; its ENIs with what left them', async () => {
    const aws = createAwsApi('us-east-1');
    seen.length = 0;
    expect(await aws.listInstances([{ key: 'karpenter.sh/nodepool', value: null }, CLUSTER_TAG])).toEqual([
      { id: 'i-1', state: 'running' },
      { id: 'i-2', state: 'shutting-down' },
    ]);
    const first = new URLSearchParams(seen[0]!.body);
    expect(first.get('Filter.1.Name')).toBe('tag-key');
    expect(first.get('Filter.1.Value.1')).toBe('karpenter.sh/nodepool');
    expect(first.get('Filter.2.Name')).toBe('tag:elbv2.k8s.aws/cluster');
    expect(first.get('Filter.2.Value.1')).toBe('conduit-dev');
    expect(first.get('Filter.3.Name')).toBe('instance-state-name');
    expect(new URLSearchParams(seen[1]!.body).get('NextToken')).toBe('t2');
    expect(await aws.findVpc([{ key: 'aws:cloudformation:stack-name', value: 'conduit-dev-network' }])).toBe(
      'vpc-0dev',
    );
    expect(await aws.listNetworkInterfaces('vpc-0dev')).toEqual([
      { id: 'eni-1', description: 'ELB app/k8s-conduit/50dc6c495c0c9188', status: 'in-use' },
      { id: 'eni-2', description: '', status: 'available' },
    ]);
    const enis = new URLSearchParams(seen.at(-1)!.body);
    expect([enis.get('Filter.1.Name'), enis.get('Filter.1.Value.1')]).toEqual(['vpc-id', 'vpc-0dev']);
  });
});
