import { type MetricRun, type RenderedMetric, renderedTemplate, runMetric } from './lib/analysis.js';
import { type Balancer, startBalancer } from './lib/balancer.js';
import { type FakePod, startFakePod } from './lib/fake-kubelet.js';
import { failed, type Load, startLoad } from './lib/load.js';
import { startPrometheus } from './lib/prometheus.js';
import { type Budget, type DrillResult, ms, Report } from './lib/report.js';
import { prepareTraffic, startStack } from './lib/stack.js';

/** The stage whose committed manifests are evaluated: the strictest cadence is the one that must hold. */
const STAGE = 'prod';
/** kube-prometheus-stack's scrape interval, which the rendered windows and intervals are designed for. */
const SCRAPE_SECONDS = 15;
/** Requests per second per release; 20% reach the canary, as at the first canary step. */
const RATE = 50;

interface Scenario {
  readonly name: string;
  readonly hash: string;
  readonly env: Record<string, string>;
  /** The container's memory limit (the fake kubelet OOM-kills above it). @default 512 MiB */
  readonly memoryLimitMiB?: number;
  /** The template that must fail it (`undefined`: a healthy canary that must pass both). */
  readonly failedBy?: 'api-http' | 'pod-health';
}

/**
 * The canaries of a run. At the CI budget's cadence (15x production's) a canary answers about 40 requests in
 * a 4-s rate window, and the 99% gate fails any window with one error in it; a window without any error,
 * which waves the canary on, comes with probability (1 - p)^40: 13% at p = 5%, a coin the drill would toss
 * every run, 0.01% at p = 20%. At production cadence the 1-minute windows hold the samples a 5% fault needs.
 */
function scenariosFor(budget: Budget): readonly Scenario[] {
  const errorRate = budget === 'ci' ? 0.2 : 0.05;
  return [
    {
      name: `errors (${errorRate * 100}% of requests answer 500)`,
      hash: 'errors',
      env: { FAULT_ERROR_RATE: String(errorRate) },
      failedBy: 'api-http',
    },
    {
      name: 'latency (+400 ms per request)',
      hash: 'slow',
      env: { FAULT_LATENCY_MS: '400' },
      failedBy: 'api-http',
    },
    {
      // A version whose configuration it refuses: it exits at boot, and the kubelet restarts it with back-off.
      name: 'crash loop (a setting it refuses)',
      hash: 'crash',
      env: { DATABASE_POOL_MAX: 'many' },
      failedBy: 'pod-health',
    },
    {
      // A version that needs more memory than its limit: OOM-killed while it starts, again and again.
      name: 'OOM (limit below what it needs)',
      hash: 'oom',
      env: {},
      memoryLimitMiB: 128,
      failedBy: 'pod-health',
    },
    { name: 'healthy (no fault)', hash: 'good', env: {} },
  ];
}

const TEMPLATE_NAMES = {
  'api-http': { background: 'api-http', step: 'api-http-step' },
  'pod-health': { background: 'pod-health', step: 'pod-health-step' },
} as const;
type TemplateName = keyof typeof TEMPLATE_NAMES;

/**
 * Bad release: a stable and a canary version behind nginx (80/20), scraped by real Prometheus, judged by
 * the AnalysisTemplates rendered for prod, with their own queries, conditions and limits. Each canary runs
 * under a fake kubelet that restarts it, OOM-kills it at its memory limit and exports the pod series the
 * pod-health template reads. The full budget runs at production cadence (15 s scrapes, 30 s intervals);
 * CI runs the same schedule 15 times faster.
 */
export async function canaryDrill(budget: Budget): Promise<DrillResult> {
  const report = new Report('canary');
  const timeScale = budget === 'ci' ? 15 : 1;
  const SCENARIOS = scenariosFor(budget);
  const templates = {} as Record<TemplateName, { background: RenderedMetric[]; step: RenderedMetric[] }>;
  for (const name of Object.keys(TEMPLATE_NAMES) as TemplateName[])
    templates[name] = {
      background: await renderedTemplate(STAGE, TEMPLATE_NAMES[name].background),
      step: await renderedTemplate(STAGE, TEMPLATE_NAMES[name].step),
    };
  const stack = await startStack();
  const balancers: Balancer[] = [];
  const loads: Load[] = [];
  const pods: FakePod[] = [];
  try {
    const stable = await stack.startInstance({ APP_VERSION: '1.0.0' });
    for (const s of SCENARIOS)
      pods.push(
        await startFakePod({
          namespace: `drill-${s.hash}`,
          pod: `api-${s.hash}-0`,
          env: {
            DATABASE_URL: stack.databaseUrl,
            JWT_SECRET: stack.jwtSecret,
            LOG_LEVEL: 'warn',
            APP_VERSION: '2.0.0',
            FAULT_INJECTION_ALLOWED: 'true',
            ...s.env,
          },
          memoryLimitBytes: (s.memoryLimitMiB ?? 512) * 2 ** 20,
          cpuLimitCores: 1,
          timeScale,
        }),
      );
    // The canaries that can start are ready before they get weight, as the Rollout waits for them.
    await Promise.all(
      SCENARIOS.map((s, i) => (s.failedBy === 'pod-health' ? undefined : pods[i]!.waitReady(60_000))),
    );
    const stableAddress = `127.0.0.1:${stable.port}`;
    for (const pod of pods) balancers.push(await startBalancer([`${stableAddress} weight=4`, pod.address]));
    const prometheus = await startPrometheus(
      SCENARIOS.map((s, i) => ({
        namespace: `drill-${s.hash}`,
        stable: stableAddress,
        canary: pods[i]!.address,
        canaryHash: s.hash,
      })),
      SCRAPE_SECONDS / timeScale,
      pods.map((p) => p.metricsAddress),
    );
    try {
      // In the cluster the canary pods are scraped from the moment they are ready, before any weight.
      await prometheus.waitForTargets(SCENARIOS.length, 'up{track="stable"}');
      await prometheus.waitForTargets(SCENARIOS.length, 'up{job="kube-state-metrics"}');
      const traffic = await prepareTraffic(stable.url);
      // setWeight 20: from here the canary takes traffic and the background analysis starts.
      for (const lb of balancers)
        loads.push(startLoad({ baseUrl: lb.url, rate: RATE, durationMs: 3_600_000, next: traffic.mixed }));
      const all = Object.values(templates).flatMap((t) => [...t.step]);
      const stepDurationMs = stepDuration(all) / timeScale;
      const args = (hash: string) => ({ namespace: `drill-${hash}`, rollout: 'api', 'canary-hash': hash });
      const run = (metrics: readonly RenderedMetric[], hash: string) =>
        Promise.all(
          metrics.map((m) =>
            runMetric(m, prometheus.query, args(hash), { timeScale, untilMs: stepDurationMs }),
          ),
        );
      const runTemplates = async (hash: string, kind: 'background' | 'step') => {
        const entries = await Promise.all(
          (Object.keys(templates) as TemplateName[]).map(
            async (name) => [name, await run(templates[name][kind], hash)] as const,
          ),
        );
        return Object.fromEntries(entries) as Record<TemplateName, MetricRun[]>;
      };
      const [outcomes, idle] = await Promise.all([
        Promise.all(
          SCENARIOS.map(async (s) => ({
            background: await runTemplates(s.hash, 'background'),
            step: s.failedBy ? undefined : await runTemplates(s.hash, 'step'),
          })),
        ),
        run(templates['api-http'].step, 'idle'),
      ]);

      const window = worstCaseMs(
        Object.values(templates).flatMap((t) => t.background),
        timeScale,
      );
      report.line(
        `stage ${STAGE}, ${budget === 'ci' ? `${timeScale}x faster than` : 'at'} production cadence: ` +
          `scrape ${SCRAPE_SECONDS / timeScale} s, verdict window ${ms(window)}`,
      );
      SCENARIOS.forEach((s, i) => {
        const { background, step } = outcomes[i]!;
        for (const name of Object.keys(background) as TemplateName[]) {
          const bg = background[name];
          report.line(
            `${s.name}: background ${name} ${phaseOf(bg)} at the measurement due after ${ms(verdictAt(bg))} ` +
              `(answered after ${ms(deciding(bg).finishedMs)}); ${describe(bg)}`,
          );
        }
        if (s.failedBy) {
          const bg = background[s.failedBy];
          report.check(phaseOf(bg) === 'Failed', `${s.name}: ${s.failedBy} fails the canary`, phaseOf(bg));
          report.check(verdictAt(bg) <= window, `${s.name}: verdict within ${ms(window)}`, ms(verdictAt(bg)));
        } else {
          for (const name of Object.keys(background) as TemplateName[]) {
            const bg = background[name];
            const st = step![name];
            report.line(`${s.name}: step ${name} ${phaseOf(st)}; ${describe(st)}`);
            // Inconclusive would pause the rollout for a person: a healthy canary must not get there either.
            report.check(
              phaseOf(bg) === 'Running',
              `${s.name}: background ${name} neither fails nor stalls it`,
              `${phaseOf(bg)}: ${describe(bg)}`,
            );
            report.check(phaseOf(st) === 'Successful', `${s.name}: step ${name} passes`, describe(st));
          }
        }
      });
      report.line(`crash-loop restarts: ${pods[SCENARIOS.findIndex((s) => s.hash === 'crash')]!.restarts()}`);
      report.check(
        phaseOf(idle) === 'Failed',
        'a canary that answers nothing is failed, never passed',
        `${phaseOf(idle)}: ${describe(idle)}`,
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
    await Promise.all(pods.map((p) => p.stop()));
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
