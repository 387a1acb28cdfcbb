import type { Context } from '../lib/context.js';
import { CliError } from '../lib/errors.js';
import { format } from '../lib/format.js';

const JOB_TIMEOUT_MS = 10 * 60_000;
const JOB_POLL_MS = 5_000;

export async function dbStatus(ctx: Context, opts: { databaseUrl?: string }): Promise<void> {
  const url = ctx.databaseUrl(opts.databaseUrl);
  const migrator = await ctx.deps.migrator();
  const state = await ctx.step('read schema_migrations', () => migrator.status(url));
  ctx.print(
    { command: 'db status', stage: ctx.facts.stage, applied: state.applied, pending: state.pending },
    () =>
      [
        `applied: ${state.applied.length}`,
        `pending: ${state.pending.length === 0 ? 'none' : state.pending.join(', ')}`,
      ].join('\n'),
  );
  if (state.pending.length > 0 && ctx.options.output === 'table')
    ctx.deps.stderr('run "conduit db migrate" to apply them');
}

/**
 * Direct mode runs the API's migration runner against --database-url (from a machine that can reach the
 * database, e.g. through a bastion tunnel). Job mode starts a copy of the migrate Job that deploy/k8s renders,
 * so it runs with the cluster's image, network and secret, and waits for it.
 */
export async function dbMigrate(ctx: Context, opts: { databaseUrl?: string; job: boolean }): Promise<void> {
  if (opts.job) return migrateWithJob(ctx);
  const url = ctx.databaseUrl(opts.databaseUrl);
  const migrator = await ctx.deps.migrator();
  const { pending } = await migrator.status(url);
  if (pending.length > 0) await ctx.confirm(`apply ${pending.length} migration(s)`, { prodNeedsYes: false });
  const applied: string[] = [];
  await ctx.apply(
    pending.length === 0
      ? []
      : [
          {
            description: `apply migrations ${pending.join(', ')}`,
            run: async () => {
              applied.push(...(await migrator.run(url, (line) => ctx.deps.stderr(line))));
            },
          },
        ],
  );
  ctx.print(
    { command: 'db migrate', stage: ctx.facts.stage, dryRun: ctx.options.dryRun, pending, applied },
    () =>
      pending.length === 0
        ? 'schema is up to date'
        : ctx.options.dryRun
          ? `[dry-run] would apply: ${pending.join(', ')}`
          : `applied: ${applied.join(', ')}`,
  );
}

async function migrateWithJob(ctx: Context): Promise<void> {
  const { facts } = ctx;
  const kube = await ctx.kube();
  const spec = await kube.getJobSpec(facts.namespace, facts.migrateJobName);
  const name = `${facts.migrateJobName}-${format.stamp(ctx.deps.now()).toLowerCase()}`;
  await ctx.confirm(`run migrate Job ${name}`, { prodNeedsYes: false });
  let outcome = 'not run';
  const actions = await ctx.apply([
    {
      description: `create Job ${facts.namespace}/${name} from ${facts.migrateJobName} and wait for it`,
      run: async () => {
        await kube.createJob(facts.namespace, name, spec);
        const deadline = ctx.deps.now().getTime() + JOB_TIMEOUT_MS;
        for (;;) {
          const job = await kube.getJob(facts.namespace, name);
          if (job.succeeded > 0) {
            outcome = 'succeeded';
            return;
          }
          if (job.failed > 0 && job.active === 0) {
            throw new CliError(`migrate Job ${name} failed; kubectl -n ${facts.namespace} logs job/${name}`);
          }
          if (ctx.deps.now().getTime() > deadline)
            throw new CliError(`migrate Job ${name} did not finish in 10 minutes`);
          await ctx.deps.sleep(JOB_POLL_MS);
        }
      },
    },
  ]);
  ctx.print(
    { command: 'db migrate', stage: facts.stage, dryRun: ctx.options.dryRun, job: name, outcome, actions },
    () => (ctx.options.dryRun ? `[dry-run] would create Job ${name}` : `migrate Job ${name} ${outcome}`),
  );
}
