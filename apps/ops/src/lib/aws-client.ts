import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import {
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsApi, RecordSet, StackState, StoredObject, TagFilter } from './aws-api.js';

async function sha256Base64(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('base64');
}

const ec2Filters = (tags: readonly TagFilter[]): Filter[] =>
  tags.map((t) =>
    t.value === null ? { Name: 'tag-key', Values: [t.key] } : { Name: `tag:${t.key}`, Values: [t.value] },
  );

const hasTags = (have: readonly { Key?: string; Value?: string }[], want: readonly TagFilter[]) =>
  want.every((t) => have.some((h) => h.Key === t.key && (t.value === null || h.Value === t.value)));

/** Route 53 lists a `*` in a name as \052; print and compare it as written. */
const recordName = (name: string) => name.replace(/\\052/g, '*');

function toRecordSet(r: ResourceRecordSet): RecordSet {
  return {
    name: recordName(r.Name ?? ''),
    type: r.Type ?? '',
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    values: (r.ResourceRecords ?? []).map((v) => v.Value ?? ''),
    ...(r.AliasTarget
      ? {
          alias: {
            hostedZoneId: r.AliasTarget.HostedZoneId ?? '',
            dnsName: r.AliasTarget.DNSName ?? '',
            evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
    ...(r.SetIdentifier ? { setIdentifier: r.SetIdentifier } : {}),
  };
}

function fromRecordSet(r: RecordSet): ResourceRecordSet {
  return {
    Name: r.name,
    Type: r.type as RRType,
    ...(r.ttl !== undefined ? { TTL: r.ttl } : {}),
    ...(r.values.length > 0 ? { ResourceRecords: r.values.map((Value) => ({ Value })) } : {}),
    ...(r.alias
      ? {
          AliasTarget: {
            HostedZoneId: r.alias.hostedZoneId,
            DNSName: r.alias.dnsName,
            EvaluateTargetHealth: r.alias.evaluateTargetHealth,
          },
        }
      : {}),
    ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier } : {}),
  };
}

/** The real adapter. Credentials come from the SDK's default chain (env, profile, SSO, IRSA in the cluster). */
export function createAwsApi(region: string): AwsApi {
  const sts = new STSClient({ region });
  const rds = new RDSClient({ region });
  const eks = new EKSClient({ region });
  const s3 = new S3Client({ region });
  const elb = new ElasticLoadBalancingV2Client({ region });
  const ec2 = new EC2Client({ region });
  // Route 53 is global; the SDK signs for us-east-1 whatever region it is given.
  const route53 = new Route53Client({ region });
  const cloudFormation = new Map<string, CloudFormationClient>();
  const cfn = (stackRegion: string) => {
    let client = cloudFormation.get(stackRegion);
    if (!client) {
      client = new CloudFormationClient({ region: stackRegion });
      cloudFormation.set(stackRegion, client);
    }
    return client;
  };

  /** ELBv2 lists resources without tags; DescribeTags takes at most 20 ARNs per call. */
  async function taggedElbNames(
    resources: readonly { arn: string; name: string }[],
    tags: readonly TagFilter[],
  ): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < resources.length; i += 20) {
      const batch = resources.slice(i, i + 20);
      const out = await elb.send(new DescribeTagsCommand({ ResourceArns: batch.map((r) => r.arn) }));
      for (const description of out.TagDescriptions ?? []) {
        if (!hasTags(description.Tags ?? [], tags)) continue;
        const found = batch.find((r) => r.arn === description.ResourceArn);
        if (found) names.push(found.name);
      }
    }
    return names;
  }

  return {
    async whoami() {
      const id = await sts.send(new GetCallerIdentityCommand({}));
      return { account: id.Account ?? '', arn: id.Arn ?? '' };
    },
    async describeDbInstance(id) {
      try {
        const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
        const db = out.DBInstances?.[0];
        if (!db) return null;
        return {
          id,
          status: db.DBInstanceStatus ?? 'unknown',
          engineVersion: db.EngineVersion ?? '',
          endpoint: db.Endpoint?.Address ?? null,
        };
      } catch (error) {
        if (error instanceof DBInstanceNotFoundFault) return null;
        throw error;
      }
    },
    async stopDbInstance(id) {
      await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: id }));
    },
    async startDbInstance(id) {
      await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: id }));
    },
    async createDbSnapshot(instanceId, snapshotId, tags) {
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: instanceId,
          DBSnapshotIdentifier: snapshotId,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    },
    async listDbSnapshots(instanceId) {
      const snapshots = [];
      let marker: string | undefined;
      do {
        const out = await rds.send(
          new DescribeDBSnapshotsCommand({
            DBInstanceIdentifier: instanceId,
            SnapshotType: 'manual',
            Marker: marker,
          }),
        );
        for (const s of out.DBSnapshots ?? []) {
          snapshots.push({
            id: s.DBSnapshotIdentifier ?? '',
            instanceId: s.DBInstanceIdentifier ?? instanceId,
            status: s.Status ?? 'unknown',
            createdAt: s.SnapshotCreateTime ?? null,
            type: s.SnapshotType ?? 'manual',
          });
        }
        marker = out.Marker;
      } while (marker);
      return snapshots;
    },
    async deleteDbSnapshot(snapshotId) {
      await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId }));
    },
    async restoreDbFromSnapshot(snapshotId, newInstanceId) {
      await rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBSnapshotIdentifier: snapshotId,
          DBInstanceIdentifier: newInstanceId,
          CopyTagsToSnapshot: true,
        }),
      );
    },
    async restoreDbToPointInTime(sourceId, newInstanceId, time) {
      await rds.send(
        new RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: sourceId,
          TargetDBInstanceIdentifier: newInstanceId,
          ...(time ? { RestoreTime: time } : { UseLatestRestorableTime: true }),
        }),
      );
    },
    async listNodegroups(cluster) {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken }));
        names.push(...(out.nodegroups ?? []));
        nextToken = out.nextToken;
      } while (nextToken);
      return Promise.all(
        names.map(async (name) => {
          const { nodegroup } = await eks.send(
            new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }),
          );
          return {
            name,
            arn: nodegroup?.nodegroupArn ?? '',
            minSize: nodegroup?.scalingConfig?.minSize ?? 0,
            maxSize: nodegroup?.scalingConfig?.maxSize ?? 0,
            desiredSize: nodegroup?.scalingConfig?.desiredSize ?? 0,
            tags: nodegroup?.tags ?? {},
          };
        }),
      );
    },
    async updateNodegroupSize(cluster, name, size) {
      await eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: cluster,
          nodegroupName: name,
          scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: size.desired },
        }),
      );
    },
    async tagNodegroup(arn, tags) {
      await eks.send(new TagResourceCommand({ resourceArn: arn, tags }));
    },
    async untagNodegroup(arn, keys) {
      await eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys }));
    },
    async putFile(bucket, key, file, metadata) {
      const { size } = await stat(file);
      // S3 checks the SHA-256 on arrival, so a dump damaged in transit is rejected instead of stored.
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
          ChecksumSHA256: await sha256Base64(file),
          Metadata: metadata,
        }),
      );
    },
    async putText(bucket, key, text) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }),
      );
    },
    async getToFile(bucket, key, file) {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(out.Body as Readable, createWriteStream(file));
      return out.Metadata ?? {};
    },
    async getText(bucket, key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString('utf8')) ?? null;
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },
    async listObjects(bucket, prefix) {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      do {
        const out = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) {
          if (o.Key)
            objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
        }
        token = out.NextContinuationToken;
      } while (token);
      return objects;
    },
    async deleteObjects(bucket, keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
          }),
        );
      }
    },
    async disableDbDeletionProtection(id) {
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: id,
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
    },
    async describeStack(stackRegion, name): Promise<StackState | null> {
      let stack: { StackStatus?: string; StackStatusReason?: string } | undefined;
      try {
        stack = (await cfn(stackRegion).send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
      } catch (error) {
        // DescribeStacks by name answers a ValidationError once the stack is gone (or never was).
        if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test(String(error)))
          return null;
        throw error;
      }
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return null;
      const status = stack.StackStatus ?? 'UNKNOWN';
      let reason = stack.StackStatusReason ?? null;
      if (status === 'DELETE_FAILED') {
        // The stack's own reason only says "resources failed to delete"; the event says why.
        const events = await cfn(stackRegion).send(new DescribeStackEventsCommand({ StackName: name }));
        const failed = events.StackEvents?.find((e) => e.ResourceStatus === 'DELETE_FAILED');
        if (failed)
          reason = `${failed.LogicalResourceId}: ${failed.ResourceStatusReason ?? 'no reason given'}`;
      }
      return { name, status, reason };
    },
    async deleteStack(stackRegion, name) {
      await cfn(stackRegion).send(new DeleteStackCommand({ StackName: name }));
    },
    async listLoadBalancers(tags) {
      const all: { arn: string; name: string }[] = [];
      let marker: string | undefined;
      do {
        const out = await elb.send(new DescribeLoadBalancersCommand({ Marker: marker }));
        for (const lb of out.LoadBalancers ?? []) {
          if (lb.LoadBalancerArn) all.push({ arn: lb.LoadBalancerArn, name: lb.LoadBalancerName ?? '' });
        }
        marker = out.NextMarker;
      } while (marker);
      return taggedElbNames(all, tags);
    },
    async listTargetGroups(tags) {
      const all: { arn: string; name: string }[] = [];
      let marker: string | undefined;
      do {
        const out = await elb.send(new DescribeTargetGroupsCommand({ Marker: marker }));
        for (const tg of out.TargetGroups ?? []) {
          if (tg.TargetGroupArn) all.push({ arn: tg.TargetGroupArn, name: tg.TargetGroupName ?? '' });
        }
        marker = out.NextMarker;
      } while (marker);
      return taggedElbNames(all, tags);
    },
    async listInstances(tags) {
      const instances = [];
      let token: string | undefined;
      do {
        const out = await ec2.send(
          new DescribeInstancesCommand({
            Filters: [
              ...ec2Filters(tags),
              {
                Name: 'instance-state-name',
                Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
              },
            ],
            NextToken: token,
          }),
        );
        for (const reservation of out.Reservations ?? []) {
          for (const i of reservation.Instances ?? []) {
            instances.push({ id: i.InstanceId ?? '', state: i.State?.Name ?? 'unknown' });
          }
        }
        token = out.NextToken;
      } while (token);
      return instances;
    },
    async findVpc(tags) {
      const out = await ec2.send(new DescribeVpcsCommand({ Filters: ec2Filters(tags) }));
      return out.Vpcs?.[0]?.VpcId ?? null;
    },
    async listNetworkInterfaces(vpcId) {
      const enis = [];
      let token: string | undefined;
      do {
        const out = await ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
            NextToken: token,
          }),
        );
        for (const eni of out.NetworkInterfaces ?? []) {
          enis.push({
            id: eni.NetworkInterfaceId ?? '',
            description: eni.Description ?? '',
            status: eni.Status ?? 'unknown',
          });
        }
        token = out.NextToken;
      } while (token);
      return enis;
    },
    async findHostedZone(domain) {
      const out = await route53.send(new ListHostedZonesByNameCommand({ DNSName: domain, MaxItems: 1 }));
      const zone = out.HostedZones?.find((z) => z.Name === `${domain}.` && !z.Config?.PrivateZone);
      return zone?.Id?.replace('/hostedzone/', '') ?? null;
    },
    async listRecordSets(zoneId) {
      const sets: RecordSet[] = [];
      let start: { name?: string; type?: RRType; id?: string } | null = {};
      while (start) {
        const out: ListResourceRecordSetsCommandOutput = await route53.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: start.name,
            StartRecordType: start.type,
            StartRecordIdentifier: start.id,
          }),
        );
        sets.push(...(out.ResourceRecordSets ?? []).map(toRecordSet));
        start = out.IsTruncated
          ? { name: out.NextRecordName, type: out.NextRecordType, id: out.NextRecordIdentifier }
          : null;
      }
      return sets;
    },
    async deleteRecordSets(zoneId, sets) {
      // One change batch is atomic: an ownership TXT record never outlives or predates its record.
      if (sets.length === 0) return;
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: 'conduit teardown: records external-dns created',
            Changes: sets.map((set) => ({ Action: 'DELETE', ResourceRecordSet: fromRecordSet(set) })),
          },
        }),
      );
    },
  };
}
