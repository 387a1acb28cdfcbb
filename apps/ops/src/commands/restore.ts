import type { Context } from '../lib/context.js';
import { CliError, refusedError, usageError } from '../lib/errors.js';
import { format } from '../lib/format.js';
import {
  compareStats,
  createDatabase,
  databaseName,
  restoreDump,
  statsOf,
  swapDatabases,
  withDatabase,
} from '../lib/pg-dump.js';
import { fetchDump, verifyLocal, withTempDir } from './backup.js';

export interface RestoreOptions {
  readonly dump?: string;
  readonly file?: string;
  readonly manifest?: string;
  readonly snapshot?: string;
  readonly pointInTime?: string;
  readonly targetDb?: string;
  readonly newInstance?: string;
  readonly databaseUrl?: string;
  readonly intoLive: boolean;
}

/**
 * Three ways back: a logical dump into a new database (minutes, any stage), an RDS snapshot or a point in
 * time into a new instance (tens of minutes). None of them writes over the live database or instance unless
 * --into-live says so, and a dump is verified end to end before the first byte is restored.
 */
export async function restore(ctx: Context, opts: RestoreOptions): Promise<void> {
  const sources = [opts.dump, opts.file, opts.snapshot, opts.pointInTime].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw usageError(
      'restore needs exactly one source: --dump <key|latest>, --file <path>, --snapshot <id> or --point-in-time <time|latest>',
    );
  }
  if (opts.snapshot !== undefined || opts.pointInTime !== undefined) return restoreInstance(ctx, opts);
  return restoreLogical(ctx, opts);
}

async function restoreInstance(ctx: Context, opts: RestoreOptions): Promise<void> {
  const { facts } = ctx;
  const target = opts.newInstance;
  if (!target) throw usageError('--new-instance <id> is required to restore a snapshot or a point in time');
  if (target === facts.dbInstanceId) {
    throw refusedError(
      `--new-instance must differ from the live instance ${facts.dbInstanceId}; restores never replace it in place`,
    );
  }
  let time: Date | null = null;
  if (opts.pointInTime !== undefined && opts.pointInTime !== 'latest') {
    time = new Date(opts.pointInTime);
    if (Number.isNaN(time.getTime()))
      throw usageError(`--point-in-time must be an ISO 8601 time or "latest", got "${opts.pointInTime}"`);
  }
  const { api } = await ctx.aws();
  await ctx.confirm(`restore into new RDS instance ${target}`, { prodNeedsYes: true });
  const description = opts.snapshot
    ? `restore RDS snapshot ${opts.snapshot} into new instance ${target}`
    : `restore ${facts.dbInstanceId} to ${time ? time.toISOString() : 'its latest restorable time'} into new instance ${target}`;
  const actions = await ctx.apply([
    {
      description,
      run: () =>
        opts.snapshot
          ? api.restoreDbFromSnapshot(opts.snapshot, target)
          : api.restoreDbToPointInTime(facts.dbInstanceId, target, time),
    },
  ]);
  ctx.print(
    {
      command: 'restore',
      stage: facts.stage,
      dryRun: ctx.options.dryRun,
      kind: opts.snapshot ? 'snapshot' : 'point-in-time',
      newInstance: target,
      actions,
    },
    () =>
      `${ctx.options.dryRun ? '[dry-run] would ' : ''}${description}${ctx.options.dryRun ? '' : ' (requested; takes 10–30 minutes)'}`,
  );
}

async function restoreLogical(ctx: Context, opts: RestoreOptions): Promise<void> {
  const { facts } = ctx;
  const url = ctx.databaseUrl(opts.databaseUrl);
  const live = databaseName(url);
  const target = opts.targetDb ?? `conduit_restore_${format.stamp(ctx.deps.now()).toLowerCase()}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(target))
    throw usageError(`--target-db must be a lower-case identifier, got "${target}"`);
  const overLive = target === live;
  if (overLive && !opts.intoLive) {
    throw refusedError(
      `refusing to restore over the live database "${live}"; pick a new --target-db or pass --into-live`,
    );
  }
  await ctx.confirm(
    overLive ? `restore OVER the live database ${live}` : `restore into new database ${target}`,
    { prodNeedsYes: true },
  );
  if (ctx.options.dryRun) {
    ctx.print(
      { command: 'restore', stage: facts.stage, dryRun: true, kind: 'logical', targetDatabase: target },
      () =>
        `[dry-run] would verify ${opts.file ?? opts.dump} and restore it into ${overLive ? 'the LIVE database' : 'new database'} ${target}`,
    );
    return;
  }
  await withTempDir(async (dir) => {
    const dump = await fetchDump(ctx, dir, { key: opts.dump, file: opts.file, manifest: opts.manifest });
    await verifyLocal(ctx, dump);
    // Over the live database, restore beside it and swap names at the end: a failed restore changes nothing.
    const restoreInto = overLive ? `${live}_restore_${format.stamp(ctx.deps.now()).toLowerCase()}` : target;
    const targetUrl = withDatabase(url, restoreInto);
    await createDatabase(url, restoreInto);
    await ctx.step(`restore into ${restoreInto}`, () =>
      restoreDump(dump.file, targetUrl, { binDir: ctx.options.pgBinDir }),
    );
    const mismatches = dump.manifest ? compareStats(dump.manifest.tables, await statsOf(targetUrl)) : null;
    if (mismatches && mismatches.length > 0) {
      throw new CliError(
        `restored ${restoreInto} but ${mismatches.length} table(s) differ from the manifest: ${mismatches.map((m) => m.table).join(', ')}`,
        5,
      );
    }
    const retired = `${live}_before_${format.stamp(ctx.deps.now()).toLowerCase()}`;
    if (overLive)
      await ctx.step(`swap ${restoreInto} in for ${live}`, () =>
        swapDatabases(url, live, restoreInto, retired),
      );
    ctx.print(
      {
        command: 'restore',
        stage: facts.stage,
        dryRun: false,
        kind: 'logical',
        source: dump.source,
        targetDatabase: target,
        retiredDatabase: overLive ? retired : null,
        verified: mismatches !== null,
      },
      () =>
        `restored ${dump.source} into database ${target}${mismatches ? ' (row counts and checksums match the manifest)' : ''}`,
    );
  });
}
