import { readFile, writeFile } from 'node:fs/promises';
import type { AwsApi, DbInstance, DbSnapshot, Nodegroup, StoredObject } from '../src/lib/aws-api.js';

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
]);

/** A fake of STS, RDS, EKS and S3 (in memory) that records every call. */
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
}
