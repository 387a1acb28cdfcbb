import { STAGE_NAMES, WORKLOADS } from '@conduit/platform';
import { Command, CommanderError, Option } from 'commander';
import { backupCreate, backupDrill, backupList, backupRun, backupVerify } from './commands/backup.js';
import { dbMigrate, dbStatus } from './commands/db.js';
import { restore } from './commands/restore.js';
import { rolloutAbort, rolloutPromote, rolloutRetry, rolloutStatus } from './commands/rollout.js';
import { scale } from './commands/scale.js';
import { start } from './commands/start.js';
import { status } from './commands/status.js';
import { stop } from './commands/stop.js';
import { DEFAULT_CLEANUP_TIMEOUT, type TeardownOptions, teardown } from './commands/teardown.js';
import { asCredentialsError, Context, type Deps, type GlobalOptions } from './lib/context.js';
import { CliError, ExitCode, oneLine, usageError } from './lib/errors.js';
import { stageFacts } from './lib/stages.js';

const EXIT_CODES = `
Exit codes:
  0  success
  1  the operation failed (API error, tool failure, timeout)
  2  usage or configuration error (unknown stage, workload, option)
  3  no AWS credentials or no kube context for the stage
  4  refused: prod change without --yes, confirmation declined, live-database guard
  5  backup verification failed (corrupt/truncated dump, row count or checksum mismatch)`;

type Handler = (ctx: Context, ...args: never[]) => Promise<void>;

/** Builds the program; every action gets a Context for the stage and global flags it was called with. */
/** The workloads `scale`, `rollout` and `status` know, for the help text (a stage may run fewer). */
const WORKLOAD_NAMES = WORKLOADS.map((w) => w.name).join('|');

export function buildProgram(deps: Deps): Command {
  const program = new Command('conduit')
    .description(
      'Day-2 operations for Conduit: status, scaling, stop/start, rollouts, migrations, backups, restores and teardown.',
    )
    .addOption(
      new Option(
        '--stage <stage>',
        `stage to operate on (${STAGE_NAMES.join('|')}; env: CONDUIT_STAGE)`,
      ).default(deps.env.CONDUIT_STAGE ?? 'dev'),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--dry-run', 'print the changes a command would make and change nothing', false)
    .option('-y, --yes', 'answer yes to confirmations (required for prod stop/start/restore)', false)
    .option('--context <name>', 'kube context to use (default: the one pointing at cluster conduit-<stage>)')
    .addOption(
      new Option(
        '--pg-bin-dir <dir>',
        'directory of pg_dump/pg_restore, major >= the server (env: CONDUIT_PG_BIN_DIR)',
      ).default(deps.env.CONDUIT_PG_BIN_DIR),
    )
    .addHelpText('after', EXIT_CODES)
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout(text.trimEnd()),
      writeErr: (text) => deps.stderr(text.trimEnd()),
      outputError: (text, write) => write(`conduit: ${oneLine(text).replace(/^error: /, '')}`),
    });

  const action =
    (handler: Handler) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      const opts = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const ctx = new Context(stageFacts(opts.stage, deps.workloads), opts, deps);
      await (handler as (ctx: Context, ...rest: unknown[]) => Promise<void>)(ctx, ...args.slice(0, -1));
    };

  program
    .command('status')
    .description('one screen: rollout phase/step, pods, HPA, PDB, ingress, RDS, last backup, images')
    .action(action((ctx) => status(ctx)));

  program
    .command('scale')
    .description(
      "set a workload's HPA floor (and optionally ceiling) while Argo CD's self-heal is off; the HPA keeps scaling above it",
    )
    .argument('<workload>', `workload (${WORKLOAD_NAMES})`)
    .argument('<replicas>', 'new HPA minReplicas')
    .option('--max <replicas>', 'new HPA maxReplicas (default: unchanged, raised to <replicas> if lower)')
    .action(
      action(((ctx: Context, workload: string, replicas: string, opts: { max?: string }) =>
        scale(ctx, workload, replicas, opts.max)) as Handler),
    );

  program
    .command('stop')
    .description('cost saving: app to zero, node groups to zero, RDS stopped (idempotent; prod needs --yes)')
    .action(action((ctx) => stop(ctx)));

  program
    .command('start')
    .description(
      'undo stop: RDS started, node groups and app back to their recorded sizes (prod needs --yes)',
    )
    .option('--wait', 'wait until RDS is available before scaling nodes and app', false)
    .action(action(((ctx: Context, opts: { wait: boolean }) => start(ctx, opts)) as Handler));

  const rollout = program
    .command('rollout')
    .description('control an Argo Rollout like the kubectl-argo-rollouts plugin');
  rollout
    .command('status')
    .description('phase, canary step, pause and abort state, image')
    .argument('<workload>', `workload (${WORKLOAD_NAMES})`)
    .action(action(((ctx: Context, workload: string) => rolloutStatus(ctx, workload)) as Handler));
  rollout
    .command('promote')
    .description('resume a paused canary (clear pause conditions, unpause); --full skips all remaining steps')
    .argument('<workload>', `workload (${WORKLOAD_NAMES})`)
    .option('--full', 'skip analysis, pauses and steps', false)
    .action(
      action(((ctx: Context, workload: string, opts: { full: boolean }) =>
        rolloutPromote(ctx, workload, opts.full)) as Handler),
    );
  rollout
    .command('abort')
    .description('abort the update: traffic goes back to the stable version')
    .argument('<workload>', `workload (${WORKLOAD_NAMES})`)
    .action(action(((ctx: Context, workload: string) => rolloutAbort(ctx, workload)) as Handler));
  rollout
    .command('retry')
    .description('retry an aborted update')
    .argument('<workload>', `workload (${WORKLOAD_NAMES})`)
    .action(action(((ctx: Context, workload: string) => rolloutRetry(ctx, workload)) as Handler));

  const db = program.command('db').description('database schema migrations');
  db.command('migrate')
    .description('apply pending migrations, directly (--database-url) or through the migrate Job (--job)')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL)')
    .option('--job', 'create the migrate Job rendered by deploy/k8s and wait for it', false)
    .action(
      action(((ctx: Context, opts: { databaseUrl?: string; job: boolean }) =>
        dbMigrate(ctx, opts)) as Handler),
    );
  db.command('status')
    .description('list applied and pending migrations')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL)')
    .action(action(((ctx: Context, opts: { databaseUrl?: string }) => dbStatus(ctx, opts)) as Handler));

  const backup = program.command('backup').description('RDS snapshots and logical dumps in S3');
  backup
    .command('create', { isDefault: true })
    .description(
      'RDS snapshot named <instance>-<date>-<time> and a pg_dump (custom format) uploaded to the backup bucket',
    )
    .option('--database-url <url>', 'PostgreSQL URL to dump (default: $DATABASE_URL)')
    .option('--no-snapshot', 'skip the RDS snapshot')
    .option('--no-dump', 'skip the logical dump')
    .action(
      action(((ctx: Context, opts: { databaseUrl?: string; snapshot: boolean; dump: boolean }) =>
        backupCreate(ctx, opts)) as Handler),
    );
  backup
    .command('list')
    .description('snapshots and dumps of the stage')
    .action(action((ctx) => backupList(ctx)));
  backup
    .command('verify')
    .description('check a dump end to end: recorded sha256, then a full read by pg_restore')
    .argument('[key]', 'S3 key of the dump, or "latest"', 'latest')
    .option('--file <path>', 'verify a local dump instead')
    .option('--manifest <path>', 'manifest of the local dump (for its sha256)')
    .action(
      action(((ctx: Context, key: string, opts: { file?: string; manifest?: string }) =>
        backupVerify(ctx, key, opts)) as Handler),
    );
  backup
    .command('run')
    .description('the daily CronJob: snapshot + dump to S3 + prune by retention; prints backup metrics')
    .option('--database-url <url>', 'PostgreSQL URL to dump (default: $DATABASE_URL)')
    .option('--pushgateway <url>', 'also push the metrics to this Prometheus Pushgateway')
    .action(
      action(((ctx: Context, opts: { databaseUrl?: string; pushgateway?: string }) =>
        backupRun(ctx, opts)) as Handler),
    );
  backup
    .command('drill')
    .description(
      'the weekly restore drill: restore the latest dump into a scratch database and compare every table',
    )
    .option('--database-url <url>', 'server to create the scratch database on (default: $DATABASE_URL)')
    .option('--key <key>', 'S3 key of the dump (default: latest)')
    .option('--file <path>', 'drill a local dump instead')
    .option('--manifest <path>', 'manifest of the local dump')
    .option('--keep', 'keep the scratch database for inspection', false)
    .option('--pushgateway <url>', 'also push the metrics to this Prometheus Pushgateway')
    .action(
      action(((ctx: Context, opts: Parameters<typeof backupDrill>[1]) => backupDrill(ctx, opts)) as Handler),
    );

  program
    .command('restore')
    .description('restore a dump into a new database, or a snapshot/point in time into a new RDS instance')
    .option('--dump <key>', 'S3 key of a dump, or "latest"')
    .option('--file <path>', 'a local dump file')
    .option('--manifest <path>', 'manifest of the local dump')
    .option('--snapshot <id>', 'RDS snapshot to restore into --new-instance')
    .option('--point-in-time <time>', 'ISO 8601 time or "latest" to restore into --new-instance')
    .option('--target-db <name>', 'database to create for a dump (default: conduit_restore_<time>)')
    .option('--new-instance <id>', 'RDS instance id to create for a snapshot or point-in-time restore')
    .option('--database-url <url>', 'server (and live database) for dump restores (default: $DATABASE_URL)')
    .option(
      '--into-live',
      'replace the live database named in the URL (restores beside it, then swaps names)',
      false,
    )
    .action(action(((ctx: Context, opts: Parameters<typeof restore>[1]) => restore(ctx, opts)) as Handler));

  program
    .command('teardown')
    .description(
      "delete a stage: Argo CD off, Ingresses/LoadBalancer Services/NodePools deleted, wait for the controllers' cleanup in AWS, then every stack in reverse deploy order (prod: --yes and the stage name typed)",
    )
    .argument('<stage>', `stage to delete (${STAGE_NAMES.join('|')}); named here, never taken from --stage`)
    .option(
      '--timeout <duration>',
      "how long to wait for the controllers' cleanup (e.g. 90s, 15m, 1h)",
      DEFAULT_CLEANUP_TIMEOUT,
    )
    .action(async (stage: string, opts: TeardownOptions, command: Command) => {
      // Deleting a stage is the one command whose stage must be typed out: a default or CONDUIT_STAGE
      // pointing elsewhere must not decide it, and a --stage that disagrees is a mistake worth stopping.
      const globals = command.optsWithGlobals() as GlobalOptions;
      if (command.parent?.getOptionValueSource('stage') === 'cli' && globals.stage !== stage) {
        throw usageError(`teardown ${stage} was given --stage ${globals.stage}: name the stage once`);
      }
      const ctx = new Context(stageFacts(stage, deps.workloads), { ...globals, stage }, deps);
      await teardown(ctx, opts);
    });

  return program;
}

/** Runs the CLI and returns the exit code; errors are printed as one line on stderr. */
export async function runCli(argv: readonly string[], deps: Deps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help'
        ? ExitCode.Ok
        : ExitCode.Usage;
    }
    const mapped = asCredentialsError(error);
    deps.stderr(`conduit: ${oneLine(mapped)}`);
    return mapped instanceof CliError ? mapped.exitCode : ExitCode.Failure;
  }
}
