import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsApi } from './aws-client.js';

const CFN = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"';
const R53 = 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"';

/**
 * CloudFormation (query protocol) and Route 53 (REST-XML) as a loopback server, reached through the SDK's
 * own AWS_ENDPOINT_URL setting: the adapter's requests and its reading of the answers are the real SDK's.
 */
describe('AWS SDK v3 adapter, teardown calls (fake CloudFormation and Route 53 on loopback)', () => {
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
        const action = new URLSearchParams(body).get('Action');
        const stack = new URLSearchParams(body).get('StackName');
        if (action === 'DescribeStacks' && stack === 'conduit-dev-edge') {
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
});
