import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsApi, StoredObject } from '../lib/aws-api.js';
import type { Context } from '../lib/context.js';
import { CliError, usageError, verificationError } from '../lib/errors.js';
import { format } from '../lib/format.js';
import {
  compareStats,
  createDatabase,
  type DumpManifest,
  databaseName,
  dropDatabase,
  dumpDatabase,
  restoreDump,
  statsOf,
  verifyDump,
  withDatabase,
} from '../lib/pg-dump.js';

const DUMP_SUFFIX = '.dump';
const MANIFEST_SUFFIX = '.manifest.json';

export const manifestKey = (dumpKey: string) => `${dumpKey.slice(0, -DUMP_SUFFIX.length)}${MANIFEST_SUFFIX}`;

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'conduit-ops-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function dumps(ctx: Context, api: AwsApi, account: string): Promise<StoredObject[]> {
  const objects = await api.listObjects(ctx.facts.backupBucket(account), ctx.facts.dumpPrefix);
  return objects.filter((o) => o.key.endsWith(DUMP_SUFFIX)).sort((a, b) => a.key.localeCompare(b.key));
}

export async function latestDump(ctx: Context, api: AwsApi, account: string): Promise<StoredObject | null> {
  return (await dumps(ctx, api, account)).at(-1) ?? null;
}

/** A dump and its manifest on local disk, from S3 (`latest` or a key) or from --file/--manifest. */
export interface LocalDump {
  readonly file: string;
  readonly manifest: DumpManifest | null;
  /** From the manifest, else from the object's S3 metadata (written with the dump). */
  readonly sha256: string | undefined;
  readonly source: string;
}

export async function fetchDump(
  ctx: Context,
  dir: string,
  opts: { key?: string; file?: string; manifest?: string },
): Promise<LocalDump> {
  if (opts.file) {
    const manifest = opts.manifest
      ? (JSON.parse(await readFile(opts.manifest, 'utf8')) as DumpManifest)
      : null;
    return { file: opts.file, manifest, sha256: manifest?.sha256, source: opts.file };
  }
  const { api, account } = await ctx.aws();
  const bucket = ctx.facts.backupBucket(account);
  let key = opts.key ?? 'latest';
  if (key === 'latest') {
    const latest = await latestDump(ctx, api, account);
    if (!latest) throw new CliError(`no dump under s3://${bucket}/${ctx.facts.dumpPrefix}`);
    key = latest.key;
  }
  if (!key.endsWith(DUMP_SUFFIX)) throw usageError(`dump key must end in ${DUMP_SUFFIX}: ${key}`);
  const file = join(dir, 'backup.dump');
  const metadata = await ctx.step(`download s3://${bucket}/${key}`, () => api.getToFile(bucket, key, file));
  const text = await api.getText(bucket, manifestKey(key));
  const manifest = text ? (JSON.parse(text) as DumpManifest) : null;
  return { file, manifest, sha256: manifest?.sha256 ?? metadata.sha256, source: `s3://${bucket}/${key}` };
}

export async function verifyLocal(ctx: Context, dump: LocalDump): Promise<void> {
  await ctx.step(`verify ${dump.source}`, () =>
    verifyDump(dump.file, dump.sha256, { binDir: ctx.options.pgBinDir }, dump.source),
  );
}

interface CreateOptions {
  readonly databaseUrl?: string;
  readonly snapshot: boolean;
  readonly dump: boolean;
}

interface CreateResult {
  readonly snapshotId: string | null;
  readonly dump: { bucket: string; key: string; size: number; sha256: string; tables: number } | null;
}

async function create(ctx: Context, opts: CreateOptions): Promise<CreateResult & { actions: string[] }> {
  const { facts } = ctx;
  const { api, account } = await ctx.aws();
  const now = ctx.deps.now();
  const time = format.stamp(now);
  // RDS identifiers allow letters, digits and single hyphens only.
  const snapshotId = `${facts.dbInstanceId}-${time.slice(0, 8)}-${time.slice(9, 15)}`;
  const bucket = facts.backupBucket(account);
  const key = `${facts.dumpPrefix}conduit-${facts.stage}-${time}${DUMP_SUFFIX}`;
  const url = opts.dump ? ctx.databaseUrl(opts.databaseUrl) : '';
  let dumpResult: CreateResult['dump'] = null;
  const actions = await ctx.apply([
    ...(opts.snapshot
      ? [
          {
            description: `create RDS snapshot ${snapshotId} of ${facts.dbInstanceId}`,
            run: () =>
              api.createDbSnapshot(facts.dbInstanceId, snapshotId, {
                stage: facts.stage,
                'created-by': 'conduit-ops',
              }),
          },
        ]
      : []),
    ...(opts.dump
      ? [
          {
            description: `pg_dump (custom format) to s3://${bucket}/${key}`,
            run: () =>
              withTempDir(async (dir) => {
                const file = join(dir, 'backup.dump');
                const manifest = await dumpDatabase(url, file, { binDir: ctx.options.pgBinDir });
                await api.putFile(bucket, key, file, { sha256: manifest.sha256, stage: facts.stage });
                await api.putText(bucket, manifestKey(key), JSON.stringify(manifest, null, 2));
                dumpResult = {
                  bucket,
                  key,
                  size: manifest.size,
                  sha256: manifest.sha256,
                  tables: manifest.tables.length,
                };
              }),
          },
        ]
      : []),
  ]);
  return { snapshotId: opts.snapshot ? snapshotId : null, dump: dumpResult, actions };
}

export async function backupCreate(ctx: Context, opts: CreateOptions): Promise<void> {
  const result = await create(ctx, opts);
  ctx.print({ command: 'backup', stage: ctx.facts.stage, dryRun: ctx.options.dryRun, ...result }, () =>
    ctx.options.dryRun
      ? 'backup: dry run, nothing changed'
      : [
          result.snapshotId ? `snapshot ${result.snapshotId} requested` : null,
          result.dump
            ? `dump s3://${result.dump.bucket}/${result.dump.key} (${result.dump.size} bytes, ${result.dump.tables} tables)`
            : null,
        ]
          .filter(Boolean)
          .join('\n'),
  );
}

export async function backupList(ctx: Context): Promise<void> {
  const { api, account } = await ctx.aws();
  const [snapshots, objects] = await Promise.all([
    api.listDbSnapshots(ctx.facts.dbInstanceId),
    dumps(ctx, api, account),
  ]);
  const result = {
    stage: ctx.facts.stage,
    bucket: ctx.facts.backupBucket(account),
    snapshots: snapshots.map((s) => ({
      id: s.id,
      status: s.status,
      createdAt: s.createdAt?.toISOString() ?? null,
    })),
    dumps: objects.map((o) => ({ key: o.key, size: o.size, lastModified: o.lastModified.toISOString() })),
  };
  ctx.print(result, () =>
    [
      format.table(
        ['snapshot', 'status', 'created'],
        result.snapshots.map((s) => [s.id, s.status, s.createdAt ?? '-']),
      ),
      format.table(
        ['dump', 'bytes', 'uploaded'],
        result.dumps.map((d) => [d.key, d.size, d.lastModified]),
      ),
    ].join('\n'),
  );
}

export async function backupVerify(
  ctx: Context,
  key: string | undefined,
  opts: { file?: string; manifest?: string },
): Promise<void> {
  await withTempDir(async (dir) => {
    const dump = await fetchDump(ctx, dir, { key, ...opts });
    await verifyLocal(ctx, dump);
    ctx.print(
      { command: 'backup verify', source: dump.source, ok: true, checksumChecked: dump.sha256 !== undefined },
      () =>
        `${dump.source}: ok (${dump.sha256 ? 'sha256 matches, ' : 'no recorded sha256, '}archive reads completely)`,
    );
  });
}

/**
 * Deletes snapshots and dumps older than the stage's retention, but never the newest of each: a stage whose
 * backups stopped for longer than the retention keeps its last good one.
 */
async function prune(ctx: Context): Promise<string[]> {
  const { facts } = ctx;
  const { api, account } = await ctx.aws();
  const cutoff = ctx.deps.now().getTime() - facts.retentionDays * 86_400_000;
  const snapshots = (await api.listDbSnapshots(facts.dbInstanceId))
    .filter((s) => s.id.startsWith(`${facts.dbInstanceId}-`) && s.createdAt !== null)
    .sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  const oldSnapshots = snapshots.slice(0, -1).filter((s) => s.createdAt!.getTime() < cutoff);
  const objects = await dumps(ctx, api, account);
  const oldDumps = objects.slice(0, -1).filter((o) => o.lastModified.getTime() < cutoff);
  const bucket = facts.backupBucket(account);
  return ctx.apply([
    ...oldSnapshots.map((s) => ({
      description: `delete snapshot ${s.id}`,
      run: () => api.deleteDbSnapshot(s.id),
    })),
    ...(oldDumps.length > 0
      ? [
          {
            description: `delete ${oldDumps.length} dump(s) older than ${facts.retentionDays} days from s3://${bucket}`,
            run: () =>
              api.deleteObjects(
                bucket,
                oldDumps.flatMap((o) => [o.key, manifestKey(o.key)]),
              ),
          },
        ]
      : []),
  ]);
}

/** Prometheus text lines the CronJob logs (and pushes when --pushgateway is set) for the backup alerts. */
export function metricLines(name: string, stage: string, values: Record<string, number>): string {
  return Object.entries(values)
    .map(([metric, value]) => `conduit_${name}_${metric}{stage="${stage}"} ${value}`)
    .join('\n');
}

async function push(url: string | undefined, job: string, stage: string, body: string): Promise<void> {
  if (!url) return;
  const response = await fetch(`${url.replace(/\/$/, '')}/metrics/job/${job}/stage/${stage}`, {
    method: 'PUT',
    body: `${body}\n`,
  });
  if (!response.ok) throw new CliError(`pushgateway answered HTTP ${response.status}`);
}

/** What the daily CronJob runs: snapshot, dump to S3, prune. Always reports the success metric. */
export async function backupRun(
  ctx: Context,
  opts: { databaseUrl?: string; pushgateway?: string },
): Promise<void> {
  const { stage } = ctx.facts;
  try {
    const result = await create(ctx, { databaseUrl: opts.databaseUrl, snapshot: true, dump: true });
    const pruned = await prune(ctx);
    const metrics = metricLines('backup', stage, {
      success: 1,
      last_success_timestamp_seconds: Math.floor(ctx.deps.now().getTime() / 1000),
      size_bytes: result.dump?.size ?? 0,
    });
    if (!ctx.options.dryRun) await push(opts.pushgateway, 'conduit-backup', stage, metrics);
    ctx.print(
      {
        command: 'backup run',
        stage,
        dryRun: ctx.options.dryRun,
        ...result,
        pruned,
        metrics: metrics.split('\n'),
      },
      () =>
        [...result.actions, ...pruned]
          .map((a) => `${ctx.options.dryRun ? '[dry-run] ' : ''}${a}`)
          .concat(metrics)
          .join('\n'),
    );
  } catch (error) {
    const metrics = metricLines('backup', stage, { success: 0 });
    ctx.deps.stderr(metrics);
    await push(opts.pushgateway, 'conduit-backup', stage, metrics).catch(() => {});
    throw error;
  }
}

/**
 * What the weekly restore drill runs: restore the latest dump into a scratch database, compare the row count
 * and checksum of every table with the manifest written from the dump's own snapshot of the source, and
 * drop the scratch database. A mismatch exits 5 after printing one metric-friendly line.
 */
export async function backupDrill(
  ctx: Context,
  opts: {
    databaseUrl?: string;
    key?: string;
    file?: string;
    manifest?: string;
    keep: boolean;
    pushgateway?: string;
  },
): Promise<void> {
  const { stage } = ctx.facts;
  const serverUrl = ctx.databaseUrl(opts.databaseUrl);
  const scratch = `conduit_drill_${format.stamp(ctx.deps.now()).toLowerCase()}`;
  if (ctx.options.dryRun) {
    ctx.print(
      { command: 'backup drill', stage, dryRun: true, scratchDatabase: scratch },
      () =>
        `[dry-run] would restore ${opts.file ?? opts.key ?? 'the latest dump'} into scratch database ${scratch}, compare, and drop it`,
    );
    return;
  }
  const started = ctx.deps.now().getTime();
  let mismatched = -1;
  try {
    await withTempDir(async (dir) => {
      const dump = await fetchDump(ctx, dir, opts);
      if (!dump.manifest) throw verificationError(`${dump.source} has no manifest to compare with`);
      await verifyLocal(ctx, dump);
      const scratchUrl = withDatabase(serverUrl, scratch);
      if (scratch === databaseName(serverUrl))
        throw new CliError('scratch database name collides with the source');
      await createDatabase(serverUrl, scratch);
      try {
        await ctx.step(`restore into ${scratch}`, () =>
          restoreDump(dump.file, scratchUrl, { binDir: ctx.options.pgBinDir }),
        );
        const mismatches = compareStats(dump.manifest.tables, await statsOf(scratchUrl));
        mismatched = mismatches.length;
        const seconds = Math.round((ctx.deps.now().getTime() - started) / 100) / 10;
        const metrics = metricLines('backup_drill', stage, {
          success: mismatched === 0 ? 1 : 0,
          tables: dump.manifest.tables.length,
          mismatched_tables: mismatched,
          duration_seconds: seconds,
        });
        await push(opts.pushgateway, 'conduit-backup-drill', stage, metrics);
        ctx.print(
          {
            command: 'backup drill',
            stage,
            source: dump.source,
            scratchDatabase: scratch,
            tables: dump.manifest.tables.length,
            mismatches,
            metrics: metrics.split('\n'),
          },
          () => metrics,
        );
        if (mismatched > 0) {
          throw verificationError(
            `restore drill mismatch: ${mismatches.map((m) => `${m.table} rows ${m.expected?.rows ?? '-'}→${m.actual?.rows ?? '-'}`).join(', ')}`,
          );
        }
      } finally {
        if (!opts.keep) await dropDatabase(serverUrl, scratch);
      }
    });
  } catch (error) {
    if (mismatched < 0) {
      const metrics = metricLines('backup_drill', stage, { success: 0 });
      ctx.deps.stderr(metrics);
      await push(opts.pushgateway, 'conduit-backup-drill', stage, metrics).catch(() => {});
    }
    throw error;
  }
}
