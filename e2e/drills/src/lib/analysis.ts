import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** One metric of a rendered AnalysisTemplate, as Argo Rollouts reads it. */
export interface RenderedMetric {
  readonly name: string;
  readonly query: string;
  readonly successCondition: string;
  readonly failureCondition: string;
  readonly intervalSeconds: number;
  readonly initialDelaySeconds: number;
  /** Measurements before Successful; undefined runs until the rollout ends (background analysis). */
  readonly count?: number;
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
}

/** `Running`: a background run still going when the drill stopped watching it. */
export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error' | 'Running';

const seconds = (duration: unknown): number => {
  if (duration === undefined) return 0;
  const match = /^(\d+)(s|m)$/.exec(String(duration));
  if (!match) throw new Error(`unsupported duration "${String(duration)}"`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
};

interface Manifest {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly metrics?: Record<string, unknown>[] };
}

/** Reads an AnalysisTemplate's metrics from the committed manifests of a stage (what Argo CD syncs). */
export async function renderedTemplate(stage: string, name: string): Promise<RenderedMetric[]> {
  const file = fileURLToPath(
    new URL(`../../../../deploy/k8s/dist/${stage}/conduit/manifests.yaml`, import.meta.url),
  );
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as Manifest);
  const template = docs.find((d) => d?.kind === 'AnalysisTemplate' && d.metadata?.name === name);
  if (!template) throw new Error(`no AnalysisTemplate "${name}" in ${file}`);
  return (template.spec?.metrics ?? []).map((m) => {
    const query = (m.provider as { prometheus?: { query?: string } } | undefined)?.prometheus?.query;
    if (!query) throw new Error(`metric ${String(m.name)} of ${name} has no Prometheus query`);
    return {
      name: String(m.name),
      query,
      successCondition: String(m.successCondition),
      failureCondition: String(m.failureCondition),
      intervalSeconds: seconds(m.interval),
      initialDelaySeconds: seconds(m.initialDelay),
      count: m.count === undefined ? undefined : Number(m.count),
      failureLimit: Number(m.failureLimit ?? 0),
      inconclusiveLimit: Number(m.inconclusiveLimit ?? 0),
      consecutiveErrorLimit: Number(m.consecutiveErrorLimit ?? 4),
    };
  });
}

/** Fills the `{{args.<name>}}` placeholders as the AnalysisRun does. */
export function withArgs(query: string, args: Record<string, string>): string {
  return query.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (_, name: string) => {
    const value = args[name];
    if (value === undefined) throw new Error(`no value for {{args.${name}}}`);
    return value;
  });
}

const CLAUSE = {
  length: /^len\(result\) == (\d+)$/,
  notNaN: /^!isNaN\(result\[(\d+)\]\)$/,
  compare: /^result\[(\d+)\] (<=|>=|<|>|==) (-?\d+(?:\.\d+)?)$/,
};

/**
 * Evaluates an Argo Rollouts (expr-lang) condition over a Prometheus vector. Only the forms our templates
 * use are understood (a disjunction of parenthesised or bare conjunctions of the clauses above); anything
 * else throws, so a template change cannot be silently misread.
 */
export function evaluateCondition(condition: string, result: readonly number[]): boolean {
  // Every clause is read before any is combined, so an unknown one throws even where `||` or `&&` would
  // short-circuit past it for this particular result.
  const terms = condition.split('||').map((rawTerm) => {
    const term = rawTerm.trim();
    const bare = /^\((.*)\)$/.exec(term)?.[1] ?? term;
    return bare.split('&&').map((raw) => clause(raw.trim(), result, condition));
  });
  return terms.some((clauses) => clauses.every(Boolean));
}

function clause(clause: string, result: readonly number[], condition: string): boolean {
  let m = CLAUSE.length.exec(clause);
  if (m) return result.length === Number(m[1]);
  m = CLAUSE.notNaN.exec(clause);
  if (m) return !Number.isNaN(result[Number(m[1])] ?? Number.NaN);
  m = CLAUSE.compare.exec(clause);
  if (m) {
    const value = result[Number(m[1])];
    if (value === undefined) return false;
    const limit = Number(m[3]);
    switch (m[2]) {
      case '<=':
        return value <= limit;
      case '>=':
        return value >= limit;
      case '<':
        return value < limit;
      case '>':
        return value > limit;
      default:
        return value === limit;
    }
  }
  throw new Error(`unsupported condition clause "${clause}" in "${condition}"`);
}

/** A measurement's phase: the failure condition wins, then the success condition, else inconclusive. */
export function measure(
  metric: RenderedMetric,
  result: readonly number[],
): 'Successful' | 'Failed' | 'Inconclusive' {
  if (evaluateCondition(metric.failureCondition, result)) return 'Failed';
  if (evaluateCondition(metric.successCondition, result)) return 'Successful';
  return 'Inconclusive';
}

export interface MetricRun {
  readonly metric: string;
  readonly phase: Phase;
  /** `atMs`: when the measurement was due, from the start of the run (the canary getting traffic). */
  readonly measurements: readonly { readonly atMs: number; readonly phase: Phase; readonly value: string }[];
  /** When the deciding measurement was due: the schedule's verdict time, free of query time and timer lag. */
  readonly elapsedMs: number;
  /** Wall-clock time from the start of the run to the end of the deciding query. */
  readonly finishedMs: number;
}

/**
 * Runs one metric with Argo Rollouts' rules on a schedule, `timeScale` times faster than rendered (the
 * drill scrapes faster by the same factor): initial delay, then a measurement every interval; Failed when
 * failures exceed `failureLimit`, Inconclusive when inconclusive ones exceed `inconclusiveLimit`, Error
 * after more than `consecutiveErrorLimit` query errors in a row, Successful after `count` measurements.
 * Background runs (no count) are watched until `untilMs` and then reported Running. Measurements are due
 * at fixed offsets from the start, as the controller schedules them, so query time does not accumulate.
 */
export async function runMetric(
  metric: RenderedMetric,
  query: (promql: string) => Promise<number[]>,
  args: Record<string, string>,
  options: { readonly timeScale: number; readonly untilMs: number },
): Promise<MetricRun> {
  const start = Date.now();
  const promql = withArgs(metric.query, args);
  const measurements: { atMs: number; phase: Phase; value: string }[] = [];
  const tally = { Failed: 0, Inconclusive: 0, errorsInARow: 0 };
  const done = (phase: Phase): MetricRun => ({
    metric: metric.name,
    phase,
    measurements,
    elapsedMs: measurements.at(-1)?.atMs ?? 0,
    finishedMs: Date.now() - start,
  });
  for (let n = 0; metric.count === undefined || n < metric.count; n++) {
    const due = ((metric.initialDelaySeconds + n * metric.intervalSeconds) * 1000) / options.timeScale;
    if (due > options.untilMs) return done('Running');
    await sleep(Math.max(0, start + due - Date.now()));
    let phase: Phase;
    let value: string;
    try {
      const result = await query(promql);
      phase = measure(metric, result);
      value = result.map((v) => v.toFixed(3)).join('|') || 'empty';
      tally.errorsInARow = 0;
    } catch (error) {
      phase = 'Error';
      value = (error as Error).message;
      tally.errorsInARow += 1;
    }
    measurements.push({ atMs: due, phase, value });
    if (phase === 'Failed' && ++tally.Failed > metric.failureLimit) return done('Failed');
    if (phase === 'Inconclusive' && ++tally.Inconclusive > metric.inconclusiveLimit)
      return done('Inconclusive');
    if (tally.errorsInARow > metric.consecutiveErrorLimit) return done('Error');
  }
  return done('Successful');
}
