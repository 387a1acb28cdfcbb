/**
 * The slice of AWS (STS, RDS, EKS, S3; CloudFormation, ELBv2, EC2 and Route 53 for teardown) the CLI uses. Commands depend on this interface only; tests pass a
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

/** A CloudFormation stack as DescribeStacks shows it; a deleted stack is `null`, never DELETE_COMPLETE. */
export interface StackState {
  readonly name: string;
  /** CREATE_COMPLETE, DELETE_IN_PROGRESS, DELETE_FAILED, ... */
  readonly status: string;
  /** StackStatusReason, or for DELETE_FAILED the first failed resource's reason. */
  readonly reason: string | null;
}

/** A tag to filter on; `value: null` matches any value (the key alone). */
export interface TagFilter {
  readonly key: string;
  readonly value: string | null;
}

export interface Instance {
  readonly id: string;
  /** pending, running, shutting-down, stopping, stopped (terminated ones are not listed). */
  readonly state: string;
}

export interface NetworkInterface {
  readonly id: string;
  readonly description: string;
  /** available (unattached), in-use, ... */
  readonly status: string;
}

/** A Route 53 record set, complete enough to be deleted (a DELETE must repeat the set exactly). */
export interface RecordSet {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly values: readonly string[];
  readonly alias?: {
    readonly hostedZoneId: string;
    readonly dnsName: string;
    readonly evaluateTargetHealth: boolean;
  };
  readonly setIdentifier?: string;
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
  /** Turns off RDS deletion protection, so CloudFormation can delete (and snapshot) the instance. */
  disableDbDeletionProtection(id: string): Promise<void>;
  /** `region`: a stage's stacks are not all in its region (the backup copy vault). */
  describeStack(region: string, name: string): Promise<StackState | null>;
  deleteStack(region: string, name: string): Promise<void>;
  /** Names of the ELBv2 load balancers that carry every tag. */
  listLoadBalancers(tags: readonly TagFilter[]): Promise<string[]>;
  /** Names of the ELBv2 target groups that carry every tag. */
  listTargetGroups(tags: readonly TagFilter[]): Promise<string[]>;
  /** EC2 instances that carry every tag and are not terminated. */
  listInstances(tags: readonly TagFilter[]): Promise<Instance[]>;
  /** The VPC that carries every tag, or null. */
  findVpc(tags: readonly TagFilter[]): Promise<string | null>;
  listNetworkInterfaces(vpcId: string): Promise<NetworkInterface[]>;
  /** The public hosted zone named `domain`, or null. */
  findHostedZone(domain: string): Promise<string | null>;
  listRecordSets(zoneId: string): Promise<RecordSet[]>;
  deleteRecordSets(zoneId: string, sets: readonly RecordSet[]): Promise<void>;
}
