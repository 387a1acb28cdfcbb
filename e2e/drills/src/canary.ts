import { type MetricRun, type RenderedMetric, renderedTemplate, runMetric } from './lib/analysis.js';
import { type Balancer, startBalancer } from './lib/balancer.js';
import { failed, type Load, startLoad } from './lib/load.js';
import { startPrometheus } from './lib/prometheus.js';
import { type Budget, type DrillResult, ms, Report } from './lib/report.js';
import { prepareTraffic, startStack } from './lib/stack.js';

/** The stage whose committed manifests are evaluated: the strictest cadence is the one that must hold. */
const STAGE = 'prod';
/** kube-prometheus-stack's scrape interval, which the rendered windows and intervals are designed for. */
const SCRAPE_SECONDS = 15;
/** Requests per second per release; 20% reach the canary, as at the first canary step. */
const RATE = 100;

interface Scenario {
  readonly name: string;
  readonly hash: string;
  readonly env: Record<string, string>;
  readonly expected: 'Failed' | 'Successful';
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'errors (5% of requests answer 500)',
    hash: 'errors',
    env: { FAULT_ERROR_RATE: '0.05' },
    expected: 'Failed',
  },
  {
    name: 'latency (+400 ms per request)',
    hash: 'slow',
    env: { FAULT_LATENCY_MS: '400' },
    expected: 'Failed',
  },
  { name: 'healthy (no fault)', hash: 'good', env: {}, expected: 'Successful' },
];

/**
 * Bad release: a stable and a canary version behind nginx (80/20), scraped by real Prometheus, judged by
 * the AnalysisTemplates rendered for prod, with their own queries, conditions and limits. The full budget
 * runs at production cadence (15 s scrapes, 30 s intervals); CI runs the same schedule 15 times faster.
 */
export async function canaryDrill(budget: Budget): Promise<DrillResult> {
  const report = new Report('canary');
  const timeScale = budget === 'ci' ? 15 : 1;
  const background = await renderedTemplate(STAGE, 'api-http');
  const step = await renderedTemplate(STAGE, 'api-http-step');
  const stack = await startStack();
  const balancers: Balancer[] = [];
  const loads: Load[] = [];
  try {
    const stable = await stack.startInstance({ APP_VERSION: '1.0.0' });
    const canaries = await Promise.all(
      SCENARIOS.map((s) =>
        stack.startInstance({ APP_VERSION: '2.0.0', FAULT_INJECTION_ALLOWED: 'true', ...s.env }),
      ),
    );
    const address = (port: number) => `127.0.0.1:${port}`;
    for (const canary of canaries)
      balancers.push(await startBalancer([`${address(stable.port)} weight=4`, address(canary.port)]));
    const prometheus = await startPrometheus(
      SCENARIOS.map((s, i) => ({
        namespace: `drill-${s.hash}`,
        stable: address(stable.port),
        canary: address(canaries[i]!.port),
        canaryHash: s.hash,
      })),
      SCRAPE_SECONDS / timeScale,
    );
    try {
      // In the cluster the canary pods are scraped from the moment they are ready, before any weight.
      await prometheus.waitForTargets(2 * SCENARIOS.length);
      const traffic = await prepareTraffic(stable.url);
      // setWeight 20: from here the canary takes traffic and the background analysis starts.
      for (const lb of balancers)
        loads.push(startLoad({ baseUrl: lb.url, rate: RATE, durationMs: 3_600_000, next: traffic.mixed }));
      const stepDurationMs = stepDuration(step) / timeScale;
      const args = (hash: string) => ({ namespace: `drill-${hash}`, rollout: 'api', 'canary-hash': hash });
      const run = (metrics: readonly RenderedMetric[], hash: string) =>
        Promise.all(
          metrics.map((m) =>
            runMetric(m, prometheus.query, args(hash), { timeScale, untilMs: stepDurationMs }),
          ),
        );
      const [outcomes, idle] = await Promise.all([
        Promise.all(
          SCENARIOS.map(async (s) => ({
            background: await run(background, s.hash),
            step: s.expected === 'Successful' ? await run(step, s.hash) : [],
          })),
        ),
        run(step, 'idle'),
      ]);

      const window = worstCaseMs(background, timeScale);
      report.line(
        `stage ${STAGE}, ${budget === 'ci' ? `${timeScale}x faster than` : 'at'} production cadence: ` +
          `scrape ${SCRAPE_SECONDS / timeScale} s, verdict window ${ms(window)}`,
      );
      SCENARIOS.forEach((s, i) => {
        const { background: bg, step: st } = outcomes[i]!;
        const verdict = phaseOf(bg);
        report.line(
          `${s.name}: background analysis ${verdict} at the measurement due after ${ms(verdictAt(bg))} ` +
            `(answered after ${ms(deciding(bg).finishedMs)}); ${describe(bg)}`,
        );
        if (s.expected === 'Failed') {
          report.check(verdict === 'Failed', `${s.name}: the analysis fails the canary`, verdict);
          report.check(verdictAt(bg) <= window, `${s.name}: verdict within ${ms(window)}`, ms(verdictAt(bg)));
        } else {
          report.line(`${s.name}: step analysis ${phaseOf(st)}; ${describe(st)}`);
          // Inconclusive would pause the rollout for a person: a healthy canary must not get there either.
          report.check(
            verdict === 'Running',
            `${s.name}: the background analysis neither fails nor stalls it`,
            verdict,
          );
          report.check(phaseOf(st) === 'Successful', `${s.name}: the step analysis passes`, describe(st));
        }
      });
      report.check(
        phaseOf(idle) === 'Inconclusive',
        'a canary without traffic is inconclusive, never a pass',
        phaseOf(idle),
      );
      for (const load of loads) load.stop();
      const served = (await Promise.all(loads.map((l) => l.done))).flat();
      report.line(
        `load: ${served.length} requests, ${served.filter(failed).length} failed (the faulty canaries' 500s)`,
      );
      return report.result();
    } finally {
      await prometheus.stop();
    }
  } finally {
    for (const load of loads) load.stop();
    await Promise.all(loads.map((l) => l.done));
    await Promise.all(balancers.map((b) => b.stop()));
    await stack.stop();
  }
}

/** Argo Rollouts' run phase: any Failed metric fails the run, then Error, then Inconclusive. */
function phaseOf(runs: readonly MetricRun[]): string {
  for (const phase of ['Failed', 'Error', 'Inconclusive', 'Running'] as const)
    if (runs.some((r) => r.phase === phase)) return phase;
  return 'Successful';
}

/** The run ends with its first failing metric; otherwise with its last metric. */
function deciding(runs: readonly MetricRun[]): MetricRun {
  const failing = runs.filter((r) => r.phase === 'Failed');
  const pool = failing.length ? failing : runs;
  const pick = failing.length ? Math.min : Math.max;
  const at = pick(...pool.map((r) => r.elapsedMs));
  return pool.find((r) => r.elapsedMs === at)!;
}

function verdictAt(runs: readonly MetricRun[]): number {
  return deciding(runs).elapsedMs;
}

function describe(runs: readonly MetricRun[]): string {
  return runs
    .map((r) => `${r.metric}=${r.phase} [${r.measurements.map((m) => m.value).join(', ')}]`)
    .join('; ');
}

/** Worst case from first canary traffic to the abort: initial delay, failureLimit intervals, two scrapes. */
function worstCaseMs(metrics: readonly RenderedMetric[], timeScale: number): number {
  const seconds = Math.max(
    ...metrics.map((m) => m.initialDelaySeconds + m.failureLimit * m.intervalSeconds + 2 * SCRAPE_SECONDS),
  );
  return (seconds * 1000) / timeScale;
}

function stepDuration(metrics: readonly RenderedMetric[]): number {
  return Math.max(...metrics.map((m) => (m.initialDelaySeconds + (m.count ?? 1) * m.intervalSeconds) * 1000));
}
