// The pure part of `npm run bench:report`: the results of the API and web benchmarks in, the text of
// docs/performance.md and the SVG chart out. The whole document is generated here (prose included) so that
// rerunning the benchmark reproduces it; edit this template rather than the Markdown.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SeedSize } from '../src/db/seed.js';

export type Mode = 'single' | 'cluster';

export interface ApiMeasurement {
  readonly scenario: string;
  readonly target: 'api' | 'bare';
  /**
   * Set on an API measured with one operational feature switched, by its setting or by leaving it out of the
   * app (single instance only): the feature, and whether this run has it on (the default API has the access
   * log on, tracing off).
   */
  readonly variant?: {
    readonly feature: string;
    readonly featureOn: boolean;
    /** The variant of the same round it is measured against, when not the API as deployed. */
    readonly against?: string;
  };
  readonly mode: Mode;
  /** Server processes behind the port: 1, or one per core in cluster mode. */
  readonly processes: number;
  /** 1, 2, …: every round measures each scenario once, the API and its ceiling one after the other. */
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU time autocannon used per second of the run: 1 is a whole core, where it becomes the limit. */
  readonly loadGeneratorCpu: number;
}

export interface LoadAverage {
  /** os.loadavg() (1, 5 and 15 minutes) when the benchmark started and when it ended. */
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/** What `npm run bench -w @conduit/api` writes to .bench/api-*.json. */
export interface ApiBenchRun {
  readonly date: string;
  readonly node: string;
  readonly postgres: string;
  readonly autocannon: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly dataSet: SeedSize;
  readonly loadAverage: LoadAverage;
  readonly results: readonly ApiMeasurement[];
  /** Spawn to the first 200 on /readyz of the production bundle on the migrated database, per start. */
  readonly startToReadyMs?: readonly number[];
  /**
   * Resident memory of the single instance after all its rounds, read once it has finished the requests it
   * had accepted (its CPU idle again): what the process keeps, not the work still in flight.
   */
  readonly rssAfterLoadBytes?: number;
  /** The single instance's highest resident memory over its whole run (VmHWM): what its limit must hold. */
  readonly rssPeakBytes?: number;
}

export interface WebMeasurement {
  readonly scenario: string;
  readonly path: string;
  /** Body bytes of one response as sent (compressed). */
  readonly bytes: number;
  readonly contentEncoding: string;
  readonly requestsPerSecond: number;
  readonly bytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly loadGeneratorCpu: number;
}

/** What `npm run bench -w @conduit/web` writes to .bench/web-*.json. */
export interface WebBenchRun {
  readonly date: string;
  readonly node: string;
  readonly nginx: string;
  readonly nginxWorkers: number;
  readonly autocannon: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly loadAverage: LoadAverage;
  /** gzip bytes of the JavaScript, as `npm run budget` counts them, and that script's limits. */
  readonly bundle: {
    readonly initialGzipBytes: number;
    readonly totalGzipBytes: number;
    readonly initialBudgetBytes: number;
    readonly totalBudgetBytes: number;
  };
  readonly results: readonly WebMeasurement[];
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
}

/** One image of `npm run bench -w @conduit/images`. */
export interface ImageMeasurement {
  /** The workload and its Dockerfile: `api`, `web`, `ops`, `notifier`. */
  readonly tier: string;
  /** Uncompressed size as podman stores it, base included. */
  readonly sizeBytes: number;
  /** The stand-in the runtime stage starts from, and its size. */
  readonly base: string;
  readonly baseBytes: number;
  /** What "ready" means for this image (its readiness probe, or a batch command's exit). */
  readonly readyWhen: string;
  /** Milliseconds from `podman run` to ready, one per run. */
  readonly readyMs: readonly number[];
}

/** What `npm run bench -w @conduit/images` writes to .bench/images-*.json. */
export interface ImagesBenchRun {
  readonly date: string;
  readonly podman: string;
  readonly images: readonly ImageMeasurement[];
}

/** `npm run lighthouse -w @conduit/web`: each page's category scores (0-1), the median of `runs` runs. */
export interface LighthouseRun {
  readonly date: string;
  readonly runs: number;
  readonly results: readonly {
    readonly page: string;
    readonly preset: 'mobile' | 'desktop';
    readonly scores: Readonly<Record<'performance' | 'accessibility' | 'best-practices' | 'seo', number>>;
  }[];
}

export interface ReportInput {
  readonly api: ApiBenchRun;
  readonly web: WebBenchRun;
  /** Absent until `npm run bench -w @conduit/images` has run on the machine (it needs podman). */
  readonly images?: ImagesBenchRun;
  /** Lighthouse needs Chromium and minutes, so `npm run bench` does not run it: kept when measured. */
  readonly lighthouse?: LighthouseRun;
  readonly machine: Machine;
}

export const LIST_SCENARIO = '(a) GET /api/articles?limit=10&offset=N';
export const ARTICLE_SCENARIO = '(b) GET /api/articles/:slug + /comments';
export const TAGS_SCENARIO = '(c) GET /api/tags';
export const LOGIN_SCENARIO = '(d) POST /api/users/login';
/**
 * The share of its bare ceiling each read scenario should reach (issue #19); the bare server answers these
 * on the same paths, under the same names. Login has no ceiling: password hashing is its cost by design.
 */
export const CEILING_GOALS: Readonly<Record<string, number>> = {
  [LIST_SCENARIO]: 0.9,
  [ARTICLE_SCENARIO]: 0.75,
  [TAGS_SCENARIO]: 0.75,
};
/** The list's p99 at 50 connections. */
export const LIST_P99_GOAL_MS = 60;
/** A single instance's resident memory after the load, and its start to ready (median of the starts). */
export const RSS_GOAL_BYTES = 150 * 1024 * 1024;
export const START_TO_READY_GOAL_MS = 1000;
/** From this share of a core on, autocannon's single thread is likely what limits the throughput. */
export const GENERATOR_BOUND = 0.9;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** One scenario of one target in one mode over every round: medians, and the highest generator CPU. */
export interface Summary {
  readonly scenario: string;
  readonly target: ApiMeasurement['target'];
  readonly variant?: ApiMeasurement['variant'];
  readonly mode: Mode;
  readonly processes: number;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly loadGeneratorCpu: number;
}

/** The measurements grouped by `key`, groups in the order their first measurement came. */
function groupBy(results: readonly ApiMeasurement[], key: (r: ApiMeasurement) => string): ApiMeasurement[][] {
  const groups = new Map<string, ApiMeasurement[]>();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.values()];
}

/** The rounds folded into medians, in the order the measurements were first taken. */
export function summarize(results: readonly ApiMeasurement[]): Summary[] {
  const groups = groupBy(results, (r) => `${r.target} ${r.variant?.feature ?? ''} ${r.mode} ${r.scenario}`);
  return groups.map((group) => {
    const first = group[0] as ApiMeasurement;
    return {
      scenario: first.scenario,
      target: first.target,
      ...(first.variant ? { variant: first.variant } : {}),
      mode: first.mode,
      processes: first.processes,
      rounds: group.length,
      requestsPerSecond: median(group.map((r) => r.requestsPerSecond)),
      p50Ms: median(group.map((r) => r.p50Ms)),
      p99Ms: median(group.map((r) => r.p99Ms)),
      loadGeneratorCpu: Math.max(...group.map((r) => r.loadGeneratorCpu)),
    };
  });
}

/**
 * The API's throughput as a share of its ceiling: the median of the per-round ratios, so a round that the
 * machine slowed down for both moves the ratio much less than it moves either throughput.
 */
export function shareOfCeiling(
  results: readonly ApiMeasurement[],
  scenario: string,
  mode: Mode,
): number | undefined {
  const of = (target: ApiMeasurement['target']) =>
    new Map(
      results
        .filter((r) => r.target === target && !r.variant && r.mode === mode && r.scenario === scenario)
        .map((r) => [r.round, r.requestsPerSecond]),
    );
  const [api, bare] = [of('api'), of('bare')];
  const ratios = [...api].flatMap(([round, rps]) => {
    const ceiling = bare.get(round);
    return ceiling ? [rps / ceiling] : [];
  });
  return ratios.length > 0 ? median(ratios) : undefined;
}

export interface FeatureCost {
  readonly feature: string;
  readonly scenario: string;
  /** Median throughput over the rounds without and with the feature. */
  readonly withoutRps: number;
  readonly withRps: number;
  /**
   * The median over the rounds of 1/with − 1/without: the time per request the feature adds at saturation,
   * in microseconds. The server, PostgreSQL and autocannon share the cores, so it is the whole system's time,
   * a first-order estimate of the feature's own cost, not a profile.
   */
  readonly microsPerRequest: number;
}

/** Each switched feature's cost per scenario, from the rounds measured with and without it (single instance). */
export function featureCosts(results: readonly ApiMeasurement[]): FeatureCost[] {
  const base = new Map(
    results
      .filter((r) => r.target === 'api' && !r.variant && r.mode === 'single')
      .map((r) => [`${r.scenario} ${r.round}`, r.requestsPerSecond]),
  );
  const variants = results.filter((m) => m.variant);
  const byVariant = new Map(
    variants.map((r) => [`${r.variant?.feature} ${r.scenario} ${r.round}`, r.requestsPerSecond]),
  );
  return groupBy(variants, (r) => `${r.variant?.feature}\n${r.scenario}`).flatMap((group) => {
    const first = group[0] as ApiMeasurement;
    const pairs = group.flatMap((r) => {
      const against = r.variant?.against;
      const plain = against
        ? byVariant.get(`${against} ${r.scenario} ${r.round}`)
        : base.get(`${r.scenario} ${r.round}`);
      if (!plain) return [];
      return [
        r.variant?.featureOn
          ? { without: plain, with: r.requestsPerSecond }
          : { without: r.requestsPerSecond, with: plain },
      ];
    });
    if (pairs.length === 0) return [];
    return [
      {
        feature: first.variant?.feature ?? '',
        scenario: first.scenario,
        withoutRps: median(pairs.map((p) => p.without)),
        withRps: median(pairs.map((p) => p.with)),
        microsPerRequest: median(pairs.map((p) => (1 / p.with - 1 / p.without) * 1e6)),
      },
    ];
  });
}

export interface Goal {
  readonly mode: Mode;
  readonly scenario: string;
  readonly kind: 'share of ceiling' | 'p99' | 'rss' | 'start to ready';
  readonly goal: number;
  readonly measured: number;
  readonly met: boolean;
}

/** The process goals of a single instance, when the run measured them. */
export function processGoals(run: Pick<ApiBenchRun, 'startToReadyMs' | 'rssAfterLoadBytes'>): Goal[] {
  const goals: Goal[] = [];
  if (run.rssAfterLoadBytes !== undefined) {
    const measured = run.rssAfterLoadBytes;
    goals.push({
      mode: 'single',
      scenario: '',
      kind: 'rss',
      goal: RSS_GOAL_BYTES,
      measured,
      met: measured < RSS_GOAL_BYTES,
    });
  }
  if (run.startToReadyMs && run.startToReadyMs.length > 0) {
    const measured = median(run.startToReadyMs);
    goals.push({
      mode: 'single',
      scenario: '',
      kind: 'start to ready',
      goal: START_TO_READY_GOAL_MS,
      measured,
      met: measured < START_TO_READY_GOAL_MS,
    });
  }
  return goals;
}

/** Every goal that this run's results can judge in one mode. */
export function apiGoals(results: readonly ApiMeasurement[], mode: Mode): Goal[] {
  const shares = Object.entries(CEILING_GOALS).flatMap(([scenario, goal]): Goal[] => {
    const share = shareOfCeiling(results, scenario, mode);
    return share === undefined
      ? []
      : [{ mode, scenario, kind: 'share of ceiling', goal, measured: share, met: share >= goal }];
  });
  const list = summarize(results).find(
    (r) => r.target === 'api' && !r.variant && r.mode === mode && r.scenario === LIST_SCENARIO,
  );
  const p99: Goal[] = list
    ? [
        {
          mode,
          scenario: LIST_SCENARIO,
          kind: 'p99',
          goal: LIST_P99_GOAL_MS,
          measured: list.p99Ms,
          met: list.p99Ms < LIST_P99_GOAL_MS,
        },
      ]
    : [];
  return [...shares, ...p99];
}

const KIB = 1024;
const mib = (bytes: number) => `${(bytes / KIB ** 2).toFixed(1)} MiB`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${Number.isInteger(n) ? count(n) : n.toFixed(1)} ms`;
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`;
const verdict = (met: boolean) => (met ? 'met' : '**not met**');
const load = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' / ');

/** "(a) GET /x" → "(a) `GET /x`": the request reads as code, the letter as the name used in the prose. */
function scenarioCell(name: string): string {
  const match = /^(\(\w\)) (.+)$/.exec(name);
  return match ? `${match[1]} \`${match[2]}\`` : name;
}

/** A Markdown table padded to aligned columns, so the raw file reads as well as the rendered one. */
function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: number[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (numeric.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric.includes(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function processesOf(results: readonly ApiMeasurement[], mode: Mode): number {
  return results.find((r) => r.mode === mode)?.processes ?? 0;
}

const ceilingLabel = (scenario: string) => `${scenario.slice(0, 3)} bare ceiling`;

function apiTable(results: readonly ApiMeasurement[]): string {
  const clusterProcesses = processesOf(results, 'cluster');
  const summaries = summarize(results).filter((r) => !r.variant);
  const of = (target: ApiMeasurement['target'], scenario: string) => (mode: Mode) =>
    summaries.find((r) => r.target === target && r.mode === mode && r.scenario === scenario);
  // Each scenario, then its ceiling when it has one.
  const rows = [...new Set(summaries.filter((r) => r.target === 'api').map((r) => r.scenario))]
    .flatMap((scenario) => [
      { label: scenarioCell(scenario), of: of('api', scenario) },
      ...(summaries.some((r) => r.target === 'bare' && r.scenario === scenario)
        ? [{ label: ceilingLabel(scenario), of: of('bare', scenario) }]
        : []),
    ])
    .map(({ label, of: measurement }) => {
      const single = measurement('single');
      const cluster = measurement('cluster');
      const cells = (m: Summary | undefined) =>
        m ? [count(m.requestsPerSecond), ms(m.p50Ms), ms(m.p99Ms)] : ['–', '–', '–'];
      const gain =
        single && cluster ? `×${(cluster.requestsPerSecond / single.requestsPerSecond).toFixed(2)}` : '–';
      return [label, ...cells(single), ...cells(cluster), gain];
    });
  return table(
    [
      'scenario (medians)',
      'single req/s',
      'p50',
      'p99',
      `cluster (${clusterProcesses}) req/s`,
      'p50',
      'p99',
      'cluster ÷ single',
    ],
    rows,
    [1, 2, 3, 4, 5, 6, 7],
  );
}

function featureTable(results: readonly ApiMeasurement[]): string {
  const costs = featureCosts(results);
  if (costs.length === 0) return 'No operational feature was switched in this run.';
  const micros = (n: number) => `${n < 0 ? '−' : ''}${Math.abs(n).toFixed(0)} µs`;
  return table(
    ['feature', 'scenario', 'without req/s', 'with req/s', 'added per request'],
    costs.map((c) => [
      c.feature,
      scenarioCell(c.scenario),
      count(c.withoutRps),
      count(c.withRps),
      micros(c.microsPerRequest),
    ]),
    [2, 3, 4],
  );
}

function goalRow(goal: Goal, where: string): string[] {
  switch (goal.kind) {
    case 'p99':
      return [
        `${goal.scenario.slice(0, 3)} p99 < ${goal.goal} ms (${where})`,
        ms(goal.measured),
        verdict(goal.met),
      ];
    case 'share of ceiling':
      return [
        `${goal.scenario.slice(0, 3)} reaches ≥ ${percent(goal.goal)} of its ceiling (${where})`,
        percent(goal.measured),
        verdict(goal.met),
      ];
    case 'rss':
      return [
        `resident memory after the load < ${mib(goal.goal)} (${where})`,
        mib(goal.measured),
        verdict(goal.met),
      ];
    case 'start to ready':
      return [
        `start to ready < ${ms(goal.goal)} on the migrated database (median of the starts)`,
        ms(goal.measured),
        verdict(goal.met),
      ];
  }
}

function goalsTable(run: ApiBenchRun): string {
  const rows = (['single', 'cluster'] as const).flatMap((mode) => {
    const where = mode === 'single' ? 'single instance' : `cluster of ${processesOf(run.results, mode)}`;
    return [...apiGoals(run.results, mode), ...(mode === 'single' ? processGoals(run) : [])].map((goal) =>
      goalRow(goal, where),
    );
  });
  return table(['goal', 'measured', 'verdict'], rows, [1]);
}

/** How the resident memory was read, and the peak beside it; nothing for a run that did not record a peak. */
export function memoryNote(run: Pick<ApiBenchRun, 'rssAfterLoadBytes' | 'rssPeakBytes'>): string {
  if (run.rssAfterLoadBytes === undefined || run.rssPeakBytes === undefined) return '';
  return `

The resident memory after the load is read once the single instance has answered what it had accepted
(its CPU idle again after the last round): ${mib(run.rssAfterLoadBytes)}. Its peak over the whole run
(VmHWM) was ${mib(run.rssPeakBytes)}: sign-in holds argon2id's 19 MiB per hash in flight, one hash per libuv
thread (4 by default), on top of the heap. A pod's memory limit must hold the peak, not the settled figure.`;
}

function generatorNote(rows: readonly { label: string; cpu: number }[], server: string): string {
  const bound = rows.filter((row) => row.cpu >= GENERATOR_BOUND);
  if (bound.length === 0) {
    const highest = Math.max(0, ...rows.map((row) => row.cpu));
    return `autocannon stayed below ${percent(GENERATOR_BOUND)} of a core throughout (at most ${percent(highest)}),\nso the load generator was not what limited ${server}.`;
  }
  return `autocannon used ${percent(GENERATOR_BOUND)} or more of a core in ${bound.map((row) => row.label).join(', ')}:\nthere its single thread is likely the limit, and the figure is a floor for ${server} rather than its capacity.`;
}

function apiGeneratorNote(results: readonly ApiMeasurement[]): string {
  return generatorNote(
    summarize(results).map((r) => ({
      label: `${r.target === 'bare' ? ceilingLabel(r.scenario) : r.scenario.slice(0, 3)}${r.variant ? `, ${r.variant.feature} ${r.variant.featureOn ? 'on' : 'off'}` : ''} (${r.mode})`,
      cpu: r.loadGeneratorCpu,
    })),
    'the servers',
  );
}

function webTable(web: WebBenchRun): string {
  return table(
    ['request', 'response body', 'req/s', 'MiB/s', 'p50', 'p99', 'autocannon CPU'],
    web.results.map((r) => [
      `${r.scenario}: \`GET ${r.path}\``,
      `${count(r.bytes)} B ${r.contentEncoding}`,
      count(r.requestsPerSecond),
      (r.bytesPerSecond / KIB / KIB).toFixed(1),
      ms(r.p50Ms),
      ms(r.p99Ms),
      percent(r.loadGeneratorCpu),
    ]),
    [2, 3, 4, 5, 6],
  );
}

function clusterObservation(results: readonly ApiMeasurement[]): string {
  const summaries = summarize(results).filter((r) => !r.variant);
  const gains = summaries
    .filter((r) => r.target === 'api' && r.mode === 'cluster')
    .flatMap((cluster) => {
      const single = summaries.find(
        (r) => r.target === 'api' && r.mode === 'single' && r.scenario === cluster.scenario,
      );
      return single ? [cluster.requestsPerSecond / single.requestsPerSecond] : [];
    });
  if (gains.length === 0) return '';
  return `\nIn this run, cluster mode changed API throughput by a factor of ${Math.min(...gains).toFixed(2)} to ${Math.max(...gains).toFixed(2)}.`;
}

/**
 * Every busy PostgreSQL backend counts as a runnable task, so the load average during and after the run
 * is mostly the benchmark's own; only the value before it started tells whether other work was running.
 */
function busyWarning({ api, machine }: ReportInput): string {
  const before = api.loadAverage.before[0] ?? 0;
  if (before <= machine.cores) return '';
  return `\n> **Busy machine.** The 1-minute load average was ${before.toFixed(2)} on ${machine.cores} cores when the benchmark
> started: the machine was not idle, so these numbers may be lower and noisier than an idle machine gives. Rerun
> \`npm run bench\` on an idle machine before comparing them with earlier runs or reading much into the goals.\n`;
}

/** The "Images" section: also written on its own by `npm run bench -w @conduit/images`. */
export function imagesSection(run: ImagesBenchRun): string {
  const runs = Math.max(...run.images.map((i) => i.readyMs.length));
  return `## Images

\`npm run bench -w @conduit/images\` (${run.date}, podman ${run.podman}) builds each Dockerfile with the
image suite's stand-in bases (\`e2e/images/README.md\` says how they differ from the pinned bases) and
starts each image ${runs} times under its \`dev\` pod spec, as \`e2e/images\` runs it. Sizes are uncompressed,
as podman stores them (a registry stores compressed layers, and shares the base between images); "added" is
the image's size less its runtime base's, what the Dockerfile puts on top. Start to ready runs from
\`podman run\` to the first 200 of the readiness probe through the published port (the API and the notifier
against a migrated PostgreSQL on the host); the ops image has no server, so its time is \`conduit --help\`
to exit 0.

${table(
  ['image', 'size', 'runtime base (stand-in)', 'base', 'added', 'start → ready (median)', 'min – max'],
  run.images.map((i) => [
    `\`conduit/${i.tier}\``,
    mib(i.sizeBytes),
    `\`${i.base}\``,
    mib(i.baseBytes),
    mib(i.sizeBytes - i.baseBytes),
    ms(median(i.readyMs)),
    `${ms(Math.min(...i.readyMs))} – ${ms(Math.max(...i.readyMs))}`,
  ]),
  [1, 3, 4, 5, 6],
)}

Ready means: ${run.images.map((i) => `\`${i.tier}\` ${i.readyWhen}`).join('; ')}.

`;
}

function lighthouseParagraph(run: LighthouseRun | undefined): string {
  const intro =
    'Lighthouse (`npm run lighthouse -w @conduit/web`; not part of `npm run bench`, it needs Chromium and a few\nminutes) against the production build served by real nginx';
  if (!run) return `${intro}: not measured on this machine yet.`;
  const rows = run.results.map(({ page, preset, scores }) => [
    page,
    preset,
    ...(['performance', 'accessibility', 'best-practices', 'seo'] as const).map((c) => scores[c].toFixed(2)),
  ]);
  return `${intro}, ${run.date.slice(0, 10)}, the median of ${run.runs} runs per page:\n\n${table(
    ['page', 'preset', 'performance', 'accessibility', 'best practices', 'SEO'],
    rows,
    [2, 3, 4, 5],
  )}`;
}

export function renderMarkdown(input: ReportInput): string {
  const { api, web, machine } = input;
  const clusterProcesses = processesOf(api.results, 'cluster');
  const dataSet = api.dataSet;
  const singleGoals = [...apiGoals(api.results, 'single'), ...processGoals(api)];
  const rounds = Math.max(0, ...summarize(api.results).map((r) => r.rounds));
  const met = singleGoals.filter((goal) => goal.met).length;
  const singleSummary =
    singleGoals.length > 0
      ? `On a single instance ${met} of the ${singleGoals.length} goals ${met === 1 ? 'is' : 'are'} met.`
      : 'The scenarios or their ceilings are missing from this run, so the goals could not be checked.';
  return `# Performance

Generated by \`npm run bench\` from the results in the git-ignored \`.bench/\` folder; do not edit by hand
(the template is \`apps/api/bench/report-content.ts\`). The numbers are benchmarks, not tests: rerun them
after a change that could move them, and compare runs only on an otherwise idle machine.
${busyWarning(input)}
![Throughput (req/s) and p99 latency per scenario and mode](performance.svg)

## Run

${table(
  ['', 'this run'],
  [
    ['date', api.date],
    [
      'machine',
      `${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / KIB ** 3).toFixed(0)} GiB`,
    ],
    ['operating system', machine.os],
    ['Node.js', api.node],
    ['PostgreSQL', api.postgres],
    ['nginx', web.nginx],
    ['autocannon', api.autocannon],
    ['load', `${api.connections} connections, ${api.durationSeconds} s per scenario after a 2 s warm-up`],
    [
      'load average (1, 5, 15 min) before → after the API bench',
      `${load(api.loadAverage.before)} → ${load(api.loadAverage.after)}`,
    ],
    [
      'load average (1, 5, 15 min) before → after the web bench',
      `${load(web.loadAverage.before)} → ${load(web.loadAverage.after)}`,
    ],
  ],
  [],
)}

Commands (\`BENCH_DURATION_S\` sets the seconds per scenario, default 10; \`BENCH_ROUNDS\` the rounds, default 3):

\`\`\`sh
npm run bench                          # all three below, in this order
npm run bench -w @conduit/api          # API and bare ceilings, single and cluster → .bench/api-*.json
npm run bench -w @conduit/web          # builds the SPA, nginx with the production config → .bench/web-*.json
npm run bench:report -w @conduit/api   # this file and performance.svg from the newest results
\`\`\`

## API

The benchmark seeds a fixed data set into a fresh real PostgreSQL ${api.postgres.split('.')[0]}
(${count(dataSet.users)} users, ${count(dataSet.articles)} articles with tags, ${count(dataSet.comments)} comments, ${dataSet.followsPerUser} follows and ${dataSet.favoritesPerUser} favorites per user;
\`fsync\` off, the scenarios only read), builds and starts the production bundle (\`node dist/server.js\`,
\`NODE_ENV=production\`, info-level JSON logs), and drives it with autocannon at ${api.connections} connections. Each
read scenario has a ceiling: a bare \`node:http\` server (\`apps/api/bench/bare-server.ts\`) answering the same
paths with one statement each, the API's repository query and row mapping, and nothing else (no framework,
validation, logging, metrics, request ids or headers). What the API needs beyond it is the cost of its
operational contract.

Each scenario runs ${rounds} rounds, the API and its ceiling one after the other within each round, so both see the
same machine; the tables show medians over the rounds, and a share of the ceiling is the median of the
per-round ratios. All of it runs twice: against a single instance, and against a cluster of ${clusterProcesses}, one
instance per core (\`apps/api/bench/cluster.ts\` forks the unchanged \`dist/server.js\` with \`node:cluster\`;
the workers share the listening socket).

${apiTable(api.results)}

${goalsTable(api)}

${singleSummary}${memoryNote(api)}

What the operational features cost, each switched on a single instance in every round beside the API as
deployed (\`apps/api/bench/run.ts\` lists them). The access log and tracing have settings. Metrics, request
ids and security headers have none, so \`apps/api/bench/variant-server.ts\` builds the app without the one
named; it runs from source, so those are measured against the same entry with nothing left out, and its own
row shows how that entry compares with the bundle. The rate limiter is not switched: it acts on sign-in,
registration and writes only, and no read scenario reaches it. The added time per request is the median over
the rounds of 1/(req/s with) − 1/(req/s without). At saturation the server, PostgreSQL and autocannon share
the cores, so it is the whole system's time per request, a first-order estimate rather than a profile;
differences of a few µs are within the noise of one run.

${featureTable(api.results)}

Login (d) is bound by password hashing by design: argon2id (19 MiB) is meant to be expensive, and it runs
on libuv's thread pool, so even a single instance already spreads it over every core.

The load generator is not on a separate machine: autocannon (one Node thread), PostgreSQL and the server
processes all share the same ${machine.cores} cores. With one worker per core the workers compete with autocannon
and PostgreSQL rather than getting a core each, so the cluster column shows what one instance per core
gives next to a co-located load generator, not the scaling of a dedicated host.${clusterObservation(api.results)}
${apiGeneratorNote(api.results)}
Other processes on the machine move the numbers as well: the load average before the API bench tells how
busy the machine was (the later values include the benchmark's own PostgreSQL backends).

## Web tier

\`npm run bench -w @conduit/web\` builds the SPA (\`npm run build\`, so the numbers are always those of the
current source), serves \`apps/web/dist\` with real nginx ${web.nginx} and the production \`apps/web/nginx.conf\`
(${web.nginxWorkers} worker processes, JSON access log on), and drives it with autocannon at ${web.connections} connections for
${web.durationSeconds} s per request after a 2 s warm-up. Requests send \`Accept-Encoding: gzip\` like a browser, so
\`gzip_static\` answers with the precompressed files of the build; the benchmark checks that each answer is a
200 with exactly those bytes before measuring. The autocannon CPU column is the share of one core the
load generator used.

${webTable(web)}

${generatorNote(
  web.results.map((r) => ({ label: `\`GET ${r.path}\``, cpu: r.loadGeneratorCpu })),
  'nginx',
)}

The JavaScript budget runs inside \`npm test\` (\`npm run budget -w @conduit/web\`) and fails over its limits
(${kib(web.bundle.initialBudgetBytes)} initial, ${kib(web.bundle.totalBudgetBytes)} in all, gzipped). This build: initial JavaScript ${kib(web.bundle.initialGzipBytes)}, all
JavaScript ${kib(web.bundle.totalGzipBytes)}, gzipped.

${lighthouseParagraph(input.lighthouse)}

${input.images ? imagesSection(input.images) : ''}## Delivery code

\`npm run synth -w @conduit/aws\` synthesizes the three AWS stages offline in 7–17 s; the Kubernetes
manifests of the three stages render in a few seconds.
`;
}

interface ChartRow {
  readonly scenario: string;
  readonly series: string;
  readonly rps: number;
  readonly p99: number;
}

/** Bars of throughput and p99 per scenario, one colour per mode, API and web tier in their own rows. */
export function chartSpec({ api, web }: ReportInput): TopLevelSpec {
  const modeLabel = (mode: Mode, processes: number) =>
    mode === 'single' ? 'single instance' : `cluster (${processes} processes)`;
  const apiRows = summarize(api.results)
    .filter((r) => !r.variant)
    .map(
      (r): ChartRow => ({
        scenario: r.target === 'bare' ? ceilingLabel(r.scenario) : r.scenario,
        series: modeLabel(r.mode, r.processes),
        rps: r.requestsPerSecond,
        p99: r.p99Ms,
      }),
    );
  const webRows = web.results.map(
    (r): ChartRow => ({
      scenario: `${r.scenario}: GET ${r.path}`,
      series: `nginx (${web.nginxWorkers} workers)`,
      rps: r.requestsPerSecond,
      p99: r.p99Ms,
    }),
  );
  // The p99 panel sits right of the req/s panel with the same rows, so only the left one names them.
  const panel = (title: string, values: readonly ChartRow[], field: 'rps' | 'p99', axis: string) => ({
    title,
    width: 300,
    data: { values },
    encoding: {
      y: {
        field: 'scenario',
        type: 'nominal' as const,
        sort: null,
        title: null,
        // labelLimit 0: whole labels; without a canvas Vega overestimates text widths and would cut them.
        axis: field === 'rps' ? { labelLimit: 0 } : { labels: false, ticks: false },
      },
      // Side by side only where there is more than one series, or a lone bar sits off its label.
      ...(new Set(values.map((row) => row.series)).size > 1
        ? { yOffset: { field: 'series', type: 'nominal' as const, sort: null } }
        : {}),
      x: { field, type: 'quantitative' as const, title: axis },
      color: { field: 'series', type: 'nominal' as const, sort: null, title: null },
    },
    layer: [
      { mark: { type: 'bar' as const } },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 3, fontSize: 10 },
        encoding: { text: { field, type: 'quantitative' as const, format: ',.0f' } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Conduit: throughput and p99 latency per scenario',
      subtitle: `${api.date.slice(0, 10)}, ${api.connections} connections, ${api.durationSeconds} s per scenario`,
    },
    background: 'white',
    // Room for the value printed after the longest bar.
    padding: { left: 5, top: 5, right: 30, bottom: 5 },
    config: { legend: { orient: 'bottom', labelLimit: 0 } },
    resolve: { scale: { color: 'shared' } },
    vconcat: [
      {
        hconcat: [
          panel('API: requests per second', apiRows, 'rps', 'req/s'),
          panel('API: p99 latency', apiRows, 'p99', 'ms'),
        ],
      },
      {
        hconcat: [
          panel('Web tier: requests per second', webRows, 'rps', 'req/s'),
          panel('Web tier: p99 latency', webRows, 'p99', 'ms'),
        ],
      },
    ],
  };
}

export async function renderChart(input: ReportInput): Promise<string> {
  const view = new View(parse(compile(chartSpec(input)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
