import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import {
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsApi, StoredObject } from './aws-api.js';

async function sha256Base64(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('base64');
}

/** The real adapter. Credentials come from the SDK's default chain (env, profile, SSO, IRSA in the cluster). */
export function createAwsApi(region: string): AwsApi {
  const sts = new STSClient({ region });
  const rds = new RDSClient({ region });
  const eks = new EKSClient({ region });
  const s3 = new S3Client({ region });

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
  };
}
