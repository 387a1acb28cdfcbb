import { readFile, writeFile } from 'node:fs/promises';
import type {
  AwsApi,
  DbInstance,
  DbSnapshot,
  Instance,
  Nodegroup,
  RecordSet,
  StackState,
  StoredObject,
  TagFilter,
} from '../src/lib/aws-api.js';

export interface AwsCall {
  readonly op: string;
  readonly args: readonly unknown[];
}

interface StoredBody {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
  readonly lastModified: Date;
}

const READS = new Set([
  'whoami',
  'describeDbInstance',
  'listDbSnapshots',
  'listNodegroups',
  'getToFile',
  'getText',
  'listObjects',
  'describeStack',
  'listLoadBalancers',
  'listTargetGroups',
  'listInstances',
  'findVpc',
  'listNetworkInterfaces',
  'findHostedZone',
  'listRecordSets',
]);

/** Tags of a fake resource; `stack` marks what CloudFormation created (and deletes with the stack). */
export interface Tagged {
  readonly tags: Record<string, string>;
}
export interface FakeElbResource extends Tagged {
  readonly name: string;
}
export interface FakeInstance extends Tagged {
  readonly id: string;
  state: string;
}
export interface FakeEni {
  readonly id: string;
  readonly vpcId: string;
  readonly description: string;
  status: string;
  /** The stack that owns it (NAT gateway, RDS, EKS); absent for what controllers made. */
  readonly stack?: string;
}
export interface FakeRecord extends RecordSet {
  /** The stack that owns it (SOA/NS, the Edge alias); absent for what external-dns wrote. */
  readonly stack?: string;
}
export interface FakeZone {
  readonly id: string;
  readonly name: string;
  records: FakeRecord[];
}
interface FakeStack {
  readonly region: string;
  status: string;
  reason: string | null;
}

const matches = (tags: Record<string, string>, filters: readonly TagFilter[]) =>
  filters.every((f) => f.key in tags && (f.value === null || tags[f.key] === f.value));

/**
 * A fake of STS, RDS, EKS, S3, and for teardown CloudFormation, ELBv2, EC2 and Route 53 (in memory) that
 * records every call. Stack deletion behaves like CloudFormation's: it completes or fails on the next
 * DescribeStacks, failing while another stack imports its exports or while `deletionBlockers` name a reason
 * (ENIs left in the VPC's subnets, records left in the zone, a protected database).
 */
export class FakeAws implements AwsApi {
  readonly account = '123456789012';
  readonly calls: AwsCall[] = [];
  credentials = true;
  db: DbInstance | null = {
    id: 'conduit-dev',
    status: 'available',
    engineVersion: '17.6',
    endpoint: 'conduit-dev.xyz.rds.amazonaws.com',
  };
  snapshots: DbSnapshot[] = [];
  nodegroups: Nodegroup[] = [
    {
      name: 'system',
      arn: 'arn:aws:eks:eu-west-1:123456789012:nodegroup/conduit-dev/system/1',
      minSize: 2,
      maxSize: 4,
      desiredSize: 2,
      tags: {},
    },
    {
      name: 'apps',
      arn: 'arn:aws:eks:eu-west-1:123456789012:nodegroup/conduit-dev/apps/2',
      minSize: 1,
      maxSize: 6,
      desiredSize: 3,
      tags: {},
    },
  ];
  readonly objects = new Map<string, StoredBody>();
  dbDeletionProtection = false;
  readonly stacks = new Map<string, FakeStack>();
  /** Stack names in the order DeleteStack was called for them. */
  readonly stackDeletions: string[] = [];
  /** Stack name → the stacks whose exports it imports (CloudFormation refuses to delete those first). */
  imports: Record<string, readonly string[]> = {};
  /** Why deleting a stack would fail now, as CloudFormation reports it; null when nothing blocks. */
  deletionBlockers: ((stack: string) => string | null)[] = [];
  loadBalancers: FakeElbResource[] = [];
  targetGroups: FakeElbResource[] = [];
  instances: FakeInstance[] = [];
  vpcs: { id: string; tags: Record<string, string>; stack: string }[] = [];
  enis: FakeEni[] = [];
  zones: FakeZone[] = [];
  /** Clock for objects written through the fake. */
  now = () => new Date();

  get mutations(): AwsCall[] {
    return this.calls.filter((c) => !READS.has(c.op));
  }

  #call(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args });
  }

  async whoami() {
    this.#call('whoami');
    if (!this.credentials) {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    }
    return { account: this.account, arn: `arn:aws:sts::${this.account}:assumed-role/ops/test` };
  }

  async describeDbInstance(id: string) {
    this.#call('describeDbInstance', id);
    return this.db?.id === id ? this.db : null;
  }

  async stopDbInstance(id: string) {
    this.#call('stopDbInstance', id);
    if (this.db) this.db = { ...this.db, status: 'stopping' };
  }

  async startDbInstance(id: string) {
    this.#call('startDbInstance', id);
    if (this.db) this.db = { ...this.db, status: 'starting' };
  }

  async createDbSnapshot(instanceId: string, snapshotId: string, tags: Record<string, string>) {
    this.#call('createDbSnapshot', instanceId, snapshotId, tags);
    this.snapshots.push({
      id: snapshotId,
      instanceId,
      status: 'creating',
      createdAt: this.now(),
      type: 'manual',
    });
  }

  async listDbSnapshots(instanceId: string) {
    this.#call('listDbSnapshots', instanceId);
    return this.snapshots.filter((s) => s.instanceId === instanceId);
  }

  async deleteDbSnapshot(snapshotId: string) {
    this.#call('deleteDbSnapshot', snapshotId);
    this.snapshots = this.snapshots.filter((s) => s.id !== snapshotId);
  }

  async restoreDbFromSnapshot(snapshotId: string, newInstanceId: string) {
    this.#call('restoreDbFromSnapshot', snapshotId, newInstanceId);
  }

  async restoreDbToPointInTime(sourceId: string, newInstanceId: string, time: Date | null) {
    this.#call('restoreDbToPointInTime', sourceId, newInstanceId, time);
  }

  async listNodegroups(cluster: string) {
    this.#call('listNodegroups', cluster);
    return this.nodegroups;
  }

  async updateNodegroupSize(
    cluster: string,
    name: string,
    size: { min: number; max: number; desired: number },
  ) {
    this.#call('updateNodegroupSize', cluster, name, size);
    this.nodegroups = this.nodegroups.map((ng) =>
      ng.name === name ? { ...ng, minSize: size.min, maxSize: size.max, desiredSize: size.desired } : ng,
    );
  }

  async tagNodegroup(arn: string, tags: Record<string, string>) {
    this.#call('tagNodegroup', arn, tags);
    this.nodegroups = this.nodegroups.map((ng) =>
      ng.arn === arn ? { ...ng, tags: { ...ng.tags, ...tags } } : ng,
    );
  }

  async untagNodegroup(arn: string, keys: string[]) {
    this.#call('untagNodegroup', arn, keys);
    this.nodegroups = this.nodegroups.map((ng) =>
      ng.arn === arn
        ? { ...ng, tags: Object.fromEntries(Object.entries(ng.tags).filter(([k]) => !keys.includes(k))) }
        : ng,
    );
  }

  async putFile(bucket: string, key: string, file: string, metadata: Record<string, string>) {
    this.#call('putFile', bucket, key);
    this.objects.set(`${bucket}/${key}`, { body: await readFile(file), metadata, lastModified: this.now() });
  }

  async putText(bucket: string, key: string, text: string) {
    this.#call('putText', bucket, key);
    this.objects.set(`${bucket}/${key}`, { body: Buffer.from(text), metadata: {}, lastModified: this.now() });
  }

  async getToFile(bucket: string, key: string, file: string) {
    this.#call('getToFile', bucket, key);
    const object = this.objects.get(`${bucket}/${key}`);
    if (!object) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    await writeFile(file, object.body);
    return object.metadata;
  }

  async getText(bucket: string, key: string) {
    this.#call('getText', bucket, key);
    return this.objects.get(`${bucket}/${key}`)?.body.toString('utf8') ?? null;
  }

  async listObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
    this.#call('listObjects', bucket, prefix);
    return [...this.objects.entries()]
      .filter(([path]) => path.startsWith(`${bucket}/${prefix}`))
      .map(([path, o]) => ({
        key: path.slice(bucket.length + 1),
        size: o.body.length,
        lastModified: o.lastModified,
      }));
  }

  async deleteObjects(bucket: string, keys: string[]) {
    this.#call('deleteObjects', bucket, keys);
    for (const key of keys) this.objects.delete(`${bucket}/${key}`);
  }

  async disableDbDeletionProtection(id: string) {
    this.#call('disableDbDeletionProtection', id);
    this.dbDeletionProtection = false;
  }

  /** What blocks deleting `name` right now, in CloudFormation's words. */
  #blocker(name: string): string | null {
    const importer = Object.entries(this.imports).find(
      ([stack, from]) => from.includes(name) && this.stacks.has(stack),
    );
    if (importer) {
      return `Export ${name}:ExportsOutput cannot be deleted as it is in use by ${importer[0]}`;
    }
    for (const blocker of this.deletionBlockers) {
      const reason = blocker(name);
      if (reason) return reason;
    }
    return null;
  }

  async describeStack(region: string, name: string): Promise<StackState | null> {
    this.#call('describeStack', region, name);
    const stack = this.stacks.get(name);
    if (!stack || stack.region !== region) return null;
    if (stack.status === 'DELETE_IN_PROGRESS') {
      const reason = this.#blocker(name);
      if (reason) Object.assign(stack, { status: 'DELETE_FAILED', reason });
      else {
        this.stacks.delete(name);
        // What the stack created goes with it.
        this.enis = this.enis.filter((e) => e.stack !== name);
        this.vpcs = this.vpcs.filter((v) => v.stack !== name);
        for (const zone of this.zones) zone.records = zone.records.filter((r) => r.stack !== name);
        this.zones = this.zones.filter((z) => z.records.length > 0);
        return null;
      }
    }
    return { name, status: stack.status, reason: stack.reason };
  }

  async deleteStack(region: string, name: string) {
    this.#call('deleteStack', region, name);
    const stack = this.stacks.get(name);
    if (!stack || stack.region !== region) return;
    this.stackDeletions.push(name);
    Object.assign(stack, { status: 'DELETE_IN_PROGRESS', reason: null });
  }

  async listLoadBalancers(tags: readonly TagFilter[]) {
    this.#call('listLoadBalancers', tags);
    return this.loadBalancers.filter((lb) => matches(lb.tags, tags)).map((lb) => lb.name);
  }

  async listTargetGroups(tags: readonly TagFilter[]) {
    this.#call('listTargetGroups', tags);
    return this.targetGroups.filter((tg) => matches(tg.tags, tags)).map((tg) => tg.name);
  }

  async listInstances(tags: readonly TagFilter[]): Promise<Instance[]> {
    this.#call('listInstances', tags);
    return this.instances
      .filter((i) => i.state !== 'terminated' && matches(i.tags, tags))
      .map((i) => ({ id: i.id, state: i.state }));
  }

  async findVpc(tags: readonly TagFilter[]) {
    this.#call('findVpc', tags);
    return this.vpcs.find((v) => matches(v.tags, tags))?.id ?? null;
  }

  async listNetworkInterfaces(vpcId: string) {
    this.#call('listNetworkInterfaces', vpcId);
    return this.enis
      .filter((e) => e.vpcId === vpcId)
      .map((e) => ({ id: e.id, description: e.description, status: e.status }));
  }

  async findHostedZone(domain: string) {
    this.#call('findHostedZone', domain);
    return this.zones.find((z) => z.name === `${domain}.`)?.id ?? null;
  }

  async listRecordSets(zoneId: string): Promise<RecordSet[]> {
    this.#call('listRecordSets', zoneId);
    return (this.zones.find((z) => z.id === zoneId)?.records ?? []).map(({ stack: _stack, ...r }) => r);
  }

  /** Like Route 53, a DELETE must name an existing set exactly, or the whole batch fails. */
  async deleteRecordSets(zoneId: string, sets: readonly RecordSet[]) {
    this.#call('deleteRecordSets', zoneId, sets);
    const zone = this.zones.find((z) => z.id === zoneId);
    if (!zone)
      throw Object.assign(new Error(`No hosted zone found with ID: ${zoneId}`), { name: 'NoSuchHostedZone' });
    const same = (a: RecordSet, b: RecordSet) => {
      const { stack: _stack, ...plain } = a as FakeRecord;
      return JSON.stringify(plain) === JSON.stringify(b);
    };
    for (const set of sets) {
      if (!zone.records.some((r) => same(r, set))) {
        throw Object.assign(
          new Error(
            `Tried to delete resource record set [name='${set.name}', type='${set.type}'] but it was not found`,
          ),
          {
            name: 'InvalidChangeBatch',
          },
        );
      }
    }
    zone.records = zone.records.filter((r) => !sets.some((set) => same(r, set)));
  }
}
