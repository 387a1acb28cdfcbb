/**
 * The slice of AWS (STS, RDS, EKS, S3) the CLI uses. Commands depend on this interface only; tests pass a
 * fake and aws-client.ts maps it onto the AWS SDK v3.
 */

export interface DbInstance {
  readonly id: string;
  /** RDS status: available, stopped, stopping, starting, backing-up, ... */
  readonly status: string;
  readonly engineVersion: string;
  readonly endpoint: string | null;
}

export interface DbSnapshot {
  readonly id: string;
  readonly instanceId: string;
  readonly status: string;
  readonly createdAt: Date | null;
  readonly type: string;
}

export interface Nodegroup {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly tags: Record<string, string>;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface AwsApi {
  /** STS GetCallerIdentity: proves there are credentials and names the account. */
  whoami(): Promise<{ account: string; arn: string }>;
  describeDbInstance(id: string): Promise<DbInstance | null>;
  stopDbInstance(id: string): Promise<void>;
  startDbInstance(id: string): Promise<void>;
  createDbSnapshot(instanceId: string, snapshotId: string, tags: Record<string, string>): Promise<void>;
  listDbSnapshots(instanceId: string): Promise<DbSnapshot[]>;
  deleteDbSnapshot(snapshotId: string): Promise<void>;
  restoreDbFromSnapshot(snapshotId: string, newInstanceId: string): Promise<void>;
  /** `time` null restores to the latest restorable time. */
  restoreDbToPointInTime(sourceId: string, newInstanceId: string, time: Date | null): Promise<void>;
  listNodegroups(cluster: string): Promise<Nodegroup[]>;
  updateNodegroupSize(
    cluster: string,
    name: string,
    size: { min: number; max: number; desired: number },
  ): Promise<void>;
  tagNodegroup(arn: string, tags: Record<string, string>): Promise<void>;
  untagNodegroup(arn: string, keys: string[]): Promise<void>;
  putFile(bucket: string, key: string, file: string, metadata: Record<string, string>): Promise<void>;
  putText(bucket: string, key: string, text: string): Promise<void>;
  getToFile(bucket: string, key: string, file: string): Promise<Record<string, string>>;
  getText(bucket: string, key: string): Promise<string | null>;
  listObjects(bucket: string, prefix: string): Promise<StoredObject[]>;
  deleteObjects(bucket: string, keys: string[]): Promise<void>;
}
