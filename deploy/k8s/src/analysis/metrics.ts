/**
 * The canary analysis, defined once: the AnalysisTemplates, the promtool rule tests and the drill all render
 * their PromQL and their verdicts from these definitions, so what is tested is what is deployed.
 */

import { LATENCY_THRESHOLD_SECONDS } from '@conduit/observability';

/** Values a query is rendered with: Argo Rollouts placeholders in templates, real values in tests. */
export interface QueryArgs {
  readonly namespace: string;
  /** Name of the Rollout; canary pods are named `<rollout>-<canaryHash>-<suffix>`. */
  readonly rollout: string;
  /** `rollouts-pod-template-hash` of the canary ReplicaSet. */
  readonly canaryHash: string;
}

/** The placeholders Argo Rollouts fills from the template's `args`. */
export const templateArgs: QueryArgs = {
  namespace: '{{args.namespace}}',
  rollout: '{{args.rollout}}',
  canaryHash: '{{args.canary-hash}}',
};

export interface AnalysisMetric {
  /** Metric name inside the AnalysisTemplate (also the base of the promtool verdict alerts). */
  readonly name: string;
  readonly description: string;
  readonly query: (a: QueryArgs) => string;
  /** The measurement fails when `value <op> threshold`; it passes when the opposite holds. */
  readonly failWhen: { readonly op: '>' | '<'; readonly threshold: number };
  /**
   * An empty result counts as a failed measurement instead of an inconclusive one. For request signals an
   * empty result after the initial delay means the canary has answered nothing that Prometheus could see
   * (hung, crashing, or too slow to have answered yet): that must count against it, or the slowest
   * canaries would be the ones the analysis ignores. NaN (series present, no request in the window) stays
   * inconclusive.
   * @default false
   */
  readonly emptyFails?: boolean;
}

const canaryPods = (a: QueryArgs) => `namespace="${a.namespace}", pod=~"${a.rollout}-${a.canaryHash}-.*"`;
const canaryContainers = (a: QueryArgs) => `${canaryPods(a)}, container!="", container!="POD"`;

/** Signals every tier is judged by, read from kube-state-metrics and cAdvisor. */
export const podMetrics: readonly AnalysisMetric[] = [
  {
    name: 'container-restarts',
    description: 'more than 1 container restart of canary pods in 2 minutes',
    query: (a) => `sum(increase(kube_pod_container_status_restarts_total{${canaryPods(a)}}[2m]))`,
    failWhen: { op: '>', threshold: 1 },
  },
  {
    name: 'pods-not-ready',
    description: 'a canary pod not ready for a whole minute',
    query: (a) => `sum(min_over_time(kube_pod_status_ready{${canaryPods(a)}, condition="false"}[1m]))`,
    failWhen: { op: '>', threshold: 0 },
  },
  {
    // The OOM series exists only after a kill; the restart series proves the pods are known, so a
    // missing OOM series reads as 0 while missing pods stay empty (inconclusive).
    name: 'oom-kills',
    description: 'a canary container was OOM-killed',
    query: (a) =>
      `sum(kube_pod_container_status_last_terminated_reason{${canaryPods(a)}, reason="OOMKilled"}) or on() (0 * sum(kube_pod_container_status_restarts_total{${canaryPods(a)}}))`,
    failWhen: { op: '>', threshold: 0 },
  },
  {
    name: 'cpu-of-limit',
    description: 'a canary pod uses more than 90% of its CPU limit',
    query: (a) =>
      `max(sum by (pod) (rate(container_cpu_usage_seconds_total{${canaryContainers(a)}}[1m])) / sum by (pod) (kube_pod_container_resource_limits{${canaryPods(a)}, resource="cpu"}))`,
    failWhen: { op: '>', threshold: 0.9 },
  },
  {
    name: 'memory-of-limit',
    description: 'a canary pod uses more than 90% of its memory limit',
    query: (a) =>
      `max(sum by (pod) (container_memory_working_set_bytes{${canaryContainers(a)}}) / sum by (pod) (kube_pod_container_resource_limits{${canaryPods(a)}, resource="memory"}))`,
    failWhen: { op: '>', threshold: 0.9 },
  },
];

const canaryP99 = (a: QueryArgs, track: 'canary' | 'stable') =>
  `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="${a.namespace}", track="${track}"}[2m])))`;

/**
 * Request-level signals of the API, from its own metrics labelled `track` by the ServiceMonitor. Each
 * regression is judged against an absolute bound as well as against stable, because stable is no fixed
 * reference: on a busy node (or in an incident) stable slows down too, and a comparison alone would then
 * wave a slow canary through.
 */
export const apiMetrics: readonly AnalysisMetric[] = [
  {
    // No request in the window gives 0/0 = NaN: inconclusive. A canary that has answered nothing but 5xx (or
    // nothing at all) has no non-5xx series, so the ratio is empty: failed.
    name: 'success-rate',
    description: 'less than 99% of the canary API requests succeed (non-5xx), or none was answered',
    query: (a) =>
      `sum(rate(http_requests_total{namespace="${a.namespace}", track="canary", status_code!~"5.."}[1m])) / sum(rate(http_requests_total{namespace="${a.namespace}", track="canary"}[1m]))`,
    failWhen: { op: '<', threshold: 0.99 },
    emptyFails: true,
  },
  {
    // The absolute bound is the latency SLO itself: a canary over it burns error budget whatever stable does.
    name: 'p99-latency',
    description: `canary p99 latency above the ${LATENCY_THRESHOLD_SECONDS * 1000} ms latency SLO, or none was answered`,
    query: (a) => canaryP99(a, 'canary'),
    failWhen: { op: '>', threshold: LATENCY_THRESHOLD_SECONDS },
    emptyFails: true,
  },
  {
    // Both p99s are floored at 100 ms so that two fast versions never look like a regression.
    name: 'p99-latency-vs-stable',
    description:
      'canary p99 latency more than 1.5x the stable p99 (both floored at 100 ms), or none was answered',
    query: (a) => `clamp_min(${canaryP99(a, 'canary')}, 0.1) / clamp_min(${canaryP99(a, 'stable')}, 0.1)`,
    failWhen: { op: '>', threshold: 1.5 },
    emptyFails: true,
  },
];

export type Verdict = 'Successful' | 'Failed' | 'Inconclusive';

/**
 * Argo Rollouts condition expressions. NaN matches neither, so it is Inconclusive; so is an empty result,
 * unless the metric counts it as a failure (`emptyFails`).
 */
export function conditions(m: AnalysisMetric): { successCondition: string; failureCondition: string } {
  const { op, threshold } = m.failWhen;
  const pass = op === '>' ? '<=' : '>=';
  const guard = 'len(result) == 1 && !isNaN(result[0])';
  const failure = `${guard} && result[0] ${op} ${threshold}`;
  return {
    successCondition: `${guard} && result[0] ${pass} ${threshold}`,
    failureCondition: m.emptyFails ? `len(result) == 0 || (${failure})` : failure,
  };
}

/** The same verdict as `conditions()`, for a Prometheus vector result read over the HTTP API. */
export function verdict(m: AnalysisMetric, values: readonly number[]): Verdict {
  if (values.length === 0 && m.emptyFails) return 'Failed';
  if (values.length !== 1) return 'Inconclusive';
  const v = values[0]!;
  if (Number.isNaN(v)) return 'Inconclusive';
  const { op, threshold } = m.failWhen;
  const failed = op === '>' ? v > threshold : v < threshold;
  return failed ? 'Failed' : 'Successful';
}

/**
 * PromQL twins of the two conditions, for `promtool test rules`: `<name>:pass` and `<name>:fail` alerts.
 * PromQL comparisons drop NaN and empty input, exactly as the conditions above refuse them; `absent()`
 * is the twin of `len(result) == 0`.
 */
export function verdictRules(m: AnalysisMetric, a: QueryArgs): { alert: string; expr: string }[] {
  const { op, threshold } = m.failWhen;
  const pass = op === '>' ? '<=' : '>=';
  const query = m.query(a);
  const fail = `(${query}) ${op} ${threshold}`;
  return [
    { alert: `${ruleName(m)}Pass`, expr: `(${query}) ${pass} ${threshold}` },
    { alert: `${ruleName(m)}Fail`, expr: m.emptyFails ? `(${fail}) or on() absent(${query})` : fail },
  ];
}

export function ruleName(m: AnalysisMetric): string {
  return m.name.replace(/(^|-)([a-z0-9])/g, (_, _d: string, c: string) => c.toUpperCase());
}
