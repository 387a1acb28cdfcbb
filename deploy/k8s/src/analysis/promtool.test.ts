import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type AnalysisMetric,
  apiMetrics,
  podMetrics,
  type QueryArgs,
  ruleName,
  verdictRules,
} from './metrics.js';

const run = promisify(execFile);
const args: QueryArgs = { namespace: 'conduit', rollout: 'api', canaryHash: 'c4n4ry' };
const metrics: readonly AnalysisMetric[] = [...podMetrics, ...apiMetrics];
const pod = 'api-c4n4ry-x1y2z';
const ksm = (name: string, extra = '') =>
  `${name}{namespace="conduit", pod="${pod}", container="api"${extra}}`;

/** Synthetic series of one scenario; every series is sampled each 15s for 10 minutes. */
type Series = Record<string, string>;

const healthyPods: Series = {
  [ksm('kube_pod_container_status_restarts_total')]: '0+0x40',
  [`kube_pod_status_ready{namespace="conduit", pod="${pod}", condition="false"}`]: '0+0x40',
  [`kube_pod_status_ready{namespace="conduit", pod="${pod}", condition="true"}`]: '1+0x40',
  // 0.3 cores of a 1-core limit; 200 MiB of 512 MiB.
  [ksm('container_cpu_usage_seconds_total')]: '0+4.5x40',
  [ksm('kube_pod_container_resource_limits', ', resource="cpu"')]: '1+0x40',
  [ksm('container_memory_working_set_bytes')]: `${200 * 2 ** 20}+0x40`,
  [ksm('kube_pod_container_resource_limits', ', resource="memory"')]: `${512 * 2 ** 20}+0x40`,
};

/** 20 requests/s on each track, all fast (under 50 ms), 1 in 1000 failing. */
function traffic(
  track: 'canary' | 'stable',
  opts: { errorsPerStep?: number; slow?: boolean; idle?: boolean } = {},
): Series {
  const per = opts.idle ? 0 : 300;
  const errors = opts.idle ? 0 : (opts.errorsPerStep ?? 0.3);
  const labels = `namespace="conduit", track="${track}", method="GET", route="/api/articles"`;
  const out: Series = {
    [`http_requests_total{${labels}, status_code="200"}`]: `0+${per - errors}x40`,
    [`http_requests_total{${labels}, status_code="500"}`]: `0+${errors}x40`,
  };
  for (const le of ['0.05', '0.1', '0.3', '0.5', '1', '+Inf']) {
    const fast = !opts.slow || Number(le) >= 0.5 || le === '+Inf';
    out[`http_request_duration_seconds_bucket{${labels}, status_code="200", le="${le}"}`] =
      `0+${fast ? per : 0}x40`;
  }
  return out;
}

interface Scenario {
  readonly name: string;
  readonly series: Series;
  /** Metrics expected to pass and to fail; all others must be neither (inconclusive). */
  readonly pass: readonly string[];
  readonly fail: readonly string[];
}

const allNames = metrics.map((m) => m.name);
const except = (...names: string[]) => allNames.filter((n) => !names.includes(n));
const healthyTraffic = { ...traffic('canary'), ...traffic('stable') };
const requestMetrics = apiMetrics.map((m) => m.name);

const scenarios: Scenario[] = [
  { name: 'healthy canary', series: { ...healthyPods, ...healthyTraffic }, pass: allNames, fail: [] },
  {
    name: 'crash-looping canary',
    series: {
      ...healthyPods,
      ...healthyTraffic,
      [ksm('kube_pod_container_status_restarts_total')]: '0+0.25x40',
      [`kube_pod_status_ready{namespace="conduit", pod="${pod}", condition="false"}`]: '1+0x40',
      [`kube_pod_status_ready{namespace="conduit", pod="${pod}", condition="true"}`]: '0+0x40',
    },
    pass: except('container-restarts', 'pods-not-ready'),
    fail: ['container-restarts', 'pods-not-ready'],
  },
  {
    name: 'OOM-killed canary',
    series: {
      ...healthyPods,
      ...healthyTraffic,
      [ksm('kube_pod_container_status_last_terminated_reason', ', reason="OOMKilled"')]: '1+0x40',
    },
    pass: except('oom-kills'),
    fail: ['oom-kills'],
  },
  {
    name: 'CPU-saturated canary',
    series: { ...healthyPods, ...healthyTraffic, [ksm('container_cpu_usage_seconds_total')]: '0+14.7x40' },
    pass: except('cpu-of-limit'),
    fail: ['cpu-of-limit'],
  },
  {
    name: 'memory-saturated canary',
    series: {
      ...healthyPods,
      ...healthyTraffic,
      [ksm('container_memory_working_set_bytes')]: `${500 * 2 ** 20}+0x40`,
    },
    pass: except('memory-of-limit'),
    fail: ['memory-of-limit'],
  },
  {
    name: 'canary answering 5xx',
    series: { ...healthyPods, ...traffic('canary', { errorsPerStep: 30 }), ...traffic('stable') },
    pass: except('success-rate'),
    fail: ['success-rate'],
  },
  {
    name: 'slow canary',
    series: { ...healthyPods, ...traffic('canary', { slow: true }), ...traffic('stable') },
    pass: except('p99-latency', 'p99-latency-vs-stable'),
    fail: ['p99-latency', 'p99-latency-vs-stable'],
  },
  {
    // A busy node slows stable as much as the canary: only the absolute bound still sees the regression.
    name: 'slow canary while stable is slow too',
    series: { ...healthyPods, ...traffic('canary', { slow: true }), ...traffic('stable', { slow: true }) },
    pass: except('p99-latency'),
    fail: ['p99-latency'],
  },
  {
    name: 'canary without traffic (series at zero)',
    series: { ...healthyPods, ...traffic('canary', { idle: true }), ...traffic('stable') },
    pass: except(...requestMetrics),
    fail: [],
  },
  {
    // Hung, or too slow to have answered one request yet: no request series of its own.
    name: 'canary that has answered nothing',
    series: { ...healthyPods, ...traffic('stable') },
    pass: except(...requestMetrics),
    fail: requestMetrics,
  },
  {
    name: 'no series at all (metrics missing)',
    series: { 'up{job="unrelated"}': '1+0x40' },
    pass: [],
    fail: requestMetrics,
  },
];

describe('analysis queries under promtool test rules (synthetic series)', () => {
  let dir: string;
  let promtool: string;
  beforeAll(async () => {
    promtool = requireTool('promtool');
    dir = await mkdtemp(join(tmpdir(), 'conduit-k8s-promtool-'));
    const rules = {
      groups: [{ name: 'analysis-verdicts', rules: metrics.flatMap((m) => verdictRules(m, args)) }],
    };
    await writeFile(join(dir, 'rules.yaml'), stringify(rules, { lineWidth: 0 }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the verdict rules are valid PromQL (promtool check rules)', async () => {
    const { stdout } = await run(promtool, ['check', 'rules', join(dir, 'rules.yaml')]);
    expect(stdout).toMatch(/SUCCESS: 16 rules found/);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_, s) => {
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: Object.entries(s.series).map(([series, values]) => ({ series, values })),
          alert_rule_test: metrics.flatMap((m) =>
            (['Pass', 'Fail'] as const).map((v) => {
              const expected = v === 'Pass' ? s.pass.includes(m.name) : s.fail.includes(m.name);
              return {
                eval_time: '5m',
                alertname: `${ruleName(m)}${v}`,
                exp_alerts: expected ? [{ exp_labels: {} }] : [],
              };
            }),
          ),
        },
      ],
    };
    const file = join(dir, `${s.name.replace(/\W+/g, '-')}.test.yaml`);
    await writeFile(file, stringify(tests, { lineWidth: 0 }));
    const result = await run(promtool, ['test', 'rules', file], { cwd: dir }).then(
      (r) => ({ ok: true, out: r.stdout }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.out).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });

  it('a scenario with the wrong expectation fails, so the harness cannot pass vacuously', async () => {
    const tests = {
      rule_files: ['rules.yaml'],
      tests: [
        {
          interval: '15s',
          input_series: Object.entries({ ...healthyPods, ...healthyTraffic }).map(([series, values]) => ({
            series,
            values,
          })),
          alert_rule_test: [
            { eval_time: '5m', alertname: 'SuccessRateFail', exp_alerts: [{ exp_labels: {} }] },
          ],
        },
      ],
    };
    const file = join(dir, 'inverted.test.yaml');
    await writeFile(file, stringify(tests));
    const error = await run(promtool, ['test', 'rules', file], { cwd: dir }).then(
      () => undefined,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(error).toMatch(/FAILED[\s\S]*SuccessRateFail/);
  });
});
