import { describe, expect, it } from 'vitest';
import { BENCH_SIZE } from '../src/db/seed.js';
import {
  type ApiMeasurement,
  apiGoals,
  featureCosts,
  type ImagesBenchRun,
  imagesSection,
  LIST_SCENARIO,
  memoryNote,
  processGoals,
  type ReportInput,
  renderChart,
  renderMarkdown,
  shareOfCeiling,
  summarize,
  TAGS_SCENARIO,
} from './report-content.js';

function measured(
  round: number,
  scenario: string,
  target: ApiMeasurement['target'],
  mode: ApiMeasurement['mode'],
  requestsPerSecond: number,
  p50Ms: number,
  p99Ms: number,
  loadGeneratorCpu = 0.5,
): ApiMeasurement {
  return {
    scenario,
    target,
    mode,
    processes: mode === 'single' ? 1 : 2,
    round,
    requestsPerSecond,
    p50Ms,
    p99Ms,
    non2xx: 0,
    errors: 0,
    loadGeneratorCpu,
  };
}

const load = { before: [0.5, 0.4, 0.3], after: [1.9, 1.2, 0.6] };
const ACCESS_LOG_OFF = { feature: 'access log', featureOn: false };
const TRACING_ON = { feature: 'tracing', featureOn: true };
// Three rounds. Single: the list reaches 95%/90%/80% of its ceiling in rounds 1-3 (median 90%, met), with a
// slow third round for both (the ratio of the medians would be 1900/2000 = 95%); tags 70%/80%/76% (median
// 76%, met). Cluster: the list at 60% with a p99 over 60 ms, both missed.
const input: ReportInput = {
  api: {
    date: '2026-11-24T10:00:00.000Z',
    node: 'v20.20.2',
    postgres: '17.6',
    autocannon: '9.0.0',
    connections: 50,
    durationSeconds: 10,
    rounds: 3,
    startToReadyMs: [640, 1200, 580],
    rssAfterLoadBytes: 120 * 1024 ** 2,
    dataSet: BENCH_SIZE,
    loadAverage: load,
    results: [
      measured(1, LIST_SCENARIO, 'api', 'single', 1900, 23, 39),
      measured(1, LIST_SCENARIO, 'bare', 'single', 2000, 22, 35),
      measured(1, TAGS_SCENARIO, 'api', 'single', 7000, 6, 12),
      measured(1, TAGS_SCENARIO, 'bare', 'single', 10000, 4, 9),
      measured(2, LIST_SCENARIO, 'api', 'single', 1980, 22, 37),
      measured(2, LIST_SCENARIO, 'bare', 'single', 2200, 21, 33),
      measured(2, TAGS_SCENARIO, 'api', 'single', 7200, 6, 11),
      measured(2, TAGS_SCENARIO, 'bare', 'single', 9000, 4, 9),
      measured(3, LIST_SCENARIO, 'api', 'single', 800, 50, 90),
      measured(3, LIST_SCENARIO, 'bare', 'single', 1000, 40, 80),
      measured(3, TAGS_SCENARIO, 'api', 'single', 7600, 6, 12),
      measured(3, TAGS_SCENARIO, 'bare', 'single', 10000, 4, 9),
      // The access log switched off (faster), and tracing switched on (slower), in the same rounds.
      { ...measured(1, LIST_SCENARIO, 'api', 'single', 2000, 20, 30), variant: ACCESS_LOG_OFF },
      { ...measured(2, LIST_SCENARIO, 'api', 'single', 2200, 20, 30), variant: ACCESS_LOG_OFF },
      { ...measured(3, LIST_SCENARIO, 'api', 'single', 1000, 20, 30), variant: ACCESS_LOG_OFF },
      { ...measured(1, LIST_SCENARIO, 'api', 'single', 1800, 20, 30), variant: TRACING_ON },
      measured(1, LIST_SCENARIO, 'api', 'cluster', 1800, 25, 61),
      measured(1, LIST_SCENARIO, 'bare', 'cluster', 3000, 15, 30),
      measured(1, TAGS_SCENARIO, 'api', 'cluster', 9000, 5, 10, 0.95),
    ],
  },
  web: {
    date: '2026-11-24T10:03:00.000Z',
    node: 'v20.20.2',
    nginx: '1.22.1',
    nginxWorkers: 2,
    autocannon: '9.0.0',
    connections: 50,
    durationSeconds: 10,
    loadAverage: load,
    bundle: {
      initialGzipBytes: 27_340,
      totalGzipBytes: 55_210,
      initialBudgetBytes: 30_720,
      totalBudgetBytes: 61_440,
    },
    results: [
      {
        scenario: 'app shell (index.html)',
        path: '/',
        bytes: 390,
        contentEncoding: 'gzip',
        requestsPerSecond: 15234,
        bytesPerSecond: 20_000_000,
        p50Ms: 3,
        p99Ms: 7,
        non2xx: 0,
        errors: 0,
        loadGeneratorCpu: 0.97,
      },
    ],
  },
  machine: { cpuModel: 'Test CPU @ 3.0GHz', cores: 2, memoryBytes: 24 * 1024 ** 3, os: 'Linux 6.1 x64' },
};

describe('summarize and shareOfCeiling', () => {
  it('folds the rounds into medians per scenario, target and mode', () => {
    const list = summarize(input.api.results).find(
      (r) => r.scenario === LIST_SCENARIO && r.target === 'api' && r.mode === 'single',
    );
    expect(list).toMatchObject({ rounds: 3, requestsPerSecond: 1900, p50Ms: 23, p99Ms: 39 });
  });

  it('takes the median of the per-round ratios, not the ratio of the medians', () => {
    expect(shareOfCeiling(input.api.results, LIST_SCENARIO, 'single')).toBeCloseTo(0.9);
    expect(shareOfCeiling(input.api.results, TAGS_SCENARIO, 'single')).toBeCloseTo(0.76);
    // A ceiling measured in no round of that mode gives no share.
    expect(shareOfCeiling(input.api.results, TAGS_SCENARIO, 'cluster')).toBeUndefined();
  });
});

describe('featureCosts', () => {
  it("gives each feature's added time per request: the median of 1/with - 1/without over the rounds", () => {
    const costs = featureCosts(input.api.results);
    // Per round 1/1900-1/2000, 1/1980-1/2200, 1/800-1/1000 s: 26, 51 and 250 µs.
    expect(costs.find((c) => c.feature === 'access log')).toMatchObject({
      scenario: LIST_SCENARIO,
      withoutRps: 2000,
      withRps: 1900,
    });
    expect(costs.find((c) => c.feature === 'access log')?.microsPerRequest).toBeCloseTo(50.5, 1);
    // Tracing is on in the variant: the variant is the "with" side.
    expect(costs.find((c) => c.feature === 'tracing')).toMatchObject({ withoutRps: 1900, withRps: 1800 });
    expect(costs.find((c) => c.feature === 'tracing')?.microsPerRequest).toBeCloseTo(29.2, 1);
  });

  it('measures a variant with `against` against that variant of the same round, not the API as deployed', () => {
    const fromSource = { feature: 'from source', featureOn: true };
    const noMetrics = { feature: 'metrics', featureOn: false, against: 'from source' };
    const costs = featureCosts([
      measured(1, TAGS_SCENARIO, 'api', 'single', 5000, 6, 12),
      measured(2, TAGS_SCENARIO, 'api', 'single', 5000, 6, 12),
      { ...measured(1, TAGS_SCENARIO, 'api', 'single', 4000, 6, 12), variant: fromSource },
      { ...measured(2, TAGS_SCENARIO, 'api', 'single', 4000, 6, 12), variant: fromSource },
      { ...measured(1, TAGS_SCENARIO, 'api', 'single', 5000, 6, 12), variant: noMetrics },
      { ...measured(2, TAGS_SCENARIO, 'api', 'single', 6250, 6, 12), variant: noMetrics },
    ]);
    // Per round 1/4000-1/5000 and 1/4000-1/6250 s: 50 and 90 µs. Against the API as deployed it would
    // have been 0 and 40 µs.
    expect(costs.find((c) => c.feature === 'metrics')).toMatchObject({ withoutRps: 5625, withRps: 4000 });
    expect(costs.find((c) => c.feature === 'metrics')?.microsPerRequest).toBeCloseTo(70, 5);
    // The baseline itself is a variant: how the entry from source compares with the bundle (50 µs).
    expect(costs.find((c) => c.feature === 'from source')?.microsPerRequest).toBeCloseTo(50, 5);
  });

  it('leaves the variants out of the tables and goals of the API as deployed', () => {
    expect(summarize(input.api.results).filter((r) => r.variant)).toHaveLength(2);
    expect(shareOfCeiling(input.api.results, LIST_SCENARIO, 'single')).toBeCloseTo(0.9);
  });
});

describe('processGoals', () => {
  it('judges the resident memory after the load and the median start to ready; an older run has neither', () => {
    expect(
      processGoals({ rssAfterLoadBytes: 160 * 1024 ** 2, startToReadyMs: [1500, 900, 1100] }),
    ).toMatchObject([
      { kind: 'rss', met: false },
      { kind: 'start to ready', measured: 1100, met: false },
    ]);
    expect(processGoals({})).toEqual([]);
  });
});

describe('memoryNote', () => {
  it('states the settled figure beside the peak the limit must hold; a run without a peak gets none', () => {
    const note = memoryNote({ rssAfterLoadBytes: 140 * 1024 ** 2, rssPeakBytes: 210.5 * 1024 ** 2 });
    expect(note).toMatch(/CPU idle again after the last round\): 140\.0 MiB\./);
    expect(note).toMatch(/\(VmHWM\) was 210\.5 MiB/);
    expect(memoryNote({ rssAfterLoadBytes: 140 * 1024 ** 2 })).toBe('');
  });
});

describe('apiGoals', () => {
  it('judges each ceiling share against its own goal and the list p99', () => {
    expect(
      apiGoals(input.api.results, 'single').map(({ scenario, kind, met }) => [scenario, kind, met]),
    ).toEqual([
      [LIST_SCENARIO, 'share of ceiling', true],
      [TAGS_SCENARIO, 'share of ceiling', true],
      [LIST_SCENARIO, 'p99', true],
    ]);
    expect(apiGoals(input.api.results, 'cluster')).toMatchObject([
      { kind: 'share of ceiling', goal: 0.9, measured: 0.6, met: false },
      { kind: 'p99', goal: 60, measured: 61, met: false },
    ]);
  });

  it('fails a share just under its goal', () => {
    const under = input.api.results.map((r) =>
      r.target === 'api' && r.mode === 'single' && r.scenario === TAGS_SCENARIO
        ? { ...r, requestsPerSecond: r.requestsPerSecond * 0.98 }
        : r,
    );
    expect(apiGoals(under, 'single').find((goal) => goal.scenario === TAGS_SCENARIO)?.met).toBe(false);
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(input);

  it('has the run, its versions and the commands', () => {
    expect(markdown).toContain('| date ');
    expect(markdown).toContain('2026-11-24T10:00:00.000Z');
    expect(markdown).toContain('Test CPU @ 3.0GHz, 2 cores, 24 GiB');
    expect(markdown).toMatch(/\| PostgreSQL +\| 17\.6 +\|/);
    expect(markdown).toMatch(/\| nginx +\| 1\.22\.1 +\|/);
    expect(markdown).toContain('0.50 / 0.40 / 0.30 → 1.90 / 1.20 / 0.60');
    expect(markdown).toContain('npm run bench:report -w @conduit/api');
    expect(markdown).toContain('Each scenario runs 3 rounds');
  });

  it('puts single, cluster and their ratio on one row per scenario, each ceiling under its scenario', () => {
    expect(markdown).toMatch(
      /\| \(a\) `GET \/api\/articles\?limit=10&offset=N` +\| +1,900 \| +23 ms \| +39 ms \| +1,800 \| +25 ms \| +61 ms \| +×0\.95 \|\n\| \(a\) bare ceiling +\| +2,000 \| .* \| +3,000 \|/,
    );
    expect(markdown).toMatch(/\| \(c\) `GET \/api\/tags` +\| +7,200 \| .* \| +9,000 \| .* \| +×1\.25 \|/);
    expect(markdown).toMatch(/\| \(c\) bare ceiling +\| +10,000 \| .* \| +– \| +– \| +– \| +– \|/);
  });

  it('gives each goal its verdict', () => {
    expect(markdown).toMatch(/\| \(a\) reaches ≥ 90% of its ceiling \(single instance\) +\| +90% \| met +\|/);
    expect(markdown).toMatch(/\| \(c\) reaches ≥ 75% of its ceiling \(single instance\) +\| +76% \| met +\|/);
    expect(markdown).toMatch(/\| \(a\) p99 < 60 ms \(single instance\) +\| +39 ms \| met +\|/);
    expect(markdown).toMatch(
      /\| \(a\) reaches ≥ 90% of its ceiling \(cluster of 2\) +\| +60% \| \*\*not met\*\* \|/,
    );
    expect(markdown).toMatch(/\| \(a\) p99 < 60 ms \(cluster of 2\) +\| +61 ms \| \*\*not met\*\* \|/);
    expect(markdown).toMatch(
      /\| resident memory after the load < 150\.0 MiB \(single instance\) +\| 120\.0 MiB \| met +\|/,
    );
    expect(markdown).toMatch(
      /\| start to ready < 1,000 ms on the migrated database \(median of the starts\) +\| +640 ms \| met +\|/,
    );
    expect(markdown).toContain('On a single instance 5 of the 5 goals are met.');
  });

  it('tables what each switched feature adds per request', () => {
    expect(markdown).toMatch(
      /\| access log \| \(a\) `GET \/api\/articles\?limit=10&offset=N` \| +2,000 \| +1,900 \| +51 µs \|/,
    );
    expect(markdown).toMatch(/\| tracing +\| \(a\) .* \| +1,900 \| +1,800 \| +29 µs \|/);
  });

  it('says where the load generator was the limit', () => {
    expect(markdown).toContain('or more of a core in (c) (cluster):');
    expect(markdown).toContain('or more of a core in `GET /`:');
  });

  it('warns only when other work shared the machine', () => {
    expect(markdown).not.toContain('Busy machine');
    const busy = { before: [5.5, 3, 2], after: [6, 4, 2] };
    expect(renderMarkdown({ ...input, api: { ...input.api, loadAverage: busy } })).toContain(
      'The 1-minute load average was 5.50 on 2 cores when the benchmark',
    );
  });

  it('has the web tier and keeps the prose sections', () => {
    expect(markdown).toMatch(
      /\| app shell \(index\.html\): `GET \/` +\| 390 B gzip +\| +15,234 \| +19\.1 \| +3 ms \| +7 ms \| +97% \|/,
    );
    expect(markdown).toContain(
      '(30.0 KiB initial, 60.0 KiB in all, gzipped). This build: initial JavaScript 26.7 KiB, all\nJavaScript 53.9 KiB',
    );
    expect(markdown).toContain(
      '![Throughput (req/s) and p99 latency per scenario and mode](performance.svg)',
    );
    for (const heading of ['## API', '## Web tier', '## Delivery code']) expect(markdown).toContain(heading);
    expect(markdown).toContain('Lighthouse');
    expect(markdown).toContain('served by real nginx: not measured on this machine yet.');
  });

  it('tables the Lighthouse scores when they were measured', () => {
    const scores = { performance: 0.99, accessibility: 1, 'best-practices': 1, seo: 0.92 };
    const withLighthouse = renderMarkdown({
      ...input,
      lighthouse: {
        date: '2026-12-03T10:00:00.000Z',
        runs: 3,
        results: [{ page: 'article', preset: 'mobile', scores }],
      },
    });
    expect(withLighthouse).toContain('real nginx, 2026-12-03, the median of 3 runs per page:');
    expect(withLighthouse).toMatch(/\| article \| mobile +\| +0\.99 \| +1\.00 \| +1\.00 \| 0\.92 \|/);
  });
});

describe('the images section', () => {
  const images: ImagesBenchRun = {
    date: '2026-12-03T07:00:00.000Z',
    podman: '4.3.1',
    images: [
      {
        tier: 'api',
        sizeBytes: 150 * 1024 ** 2,
        base: 'distroless-nodejs24',
        baseBytes: 120 * 1024 ** 2,
        readyWhen: '`GET /readyz` answers 200',
        readyMs: [900, 700, 1100],
      },
    ],
  };

  it('gives each image its size, its base, what the Dockerfile adds and the median start to ready', () => {
    expect(imagesSection(images)).toMatch(
      /\| `conduit\/api` \| +150\.0 MiB \| `distroless-nodejs24` +\| +120\.0 MiB \| +30\.0 MiB \| +900 ms \| +700 ms – 1,100 ms \|/,
    );
    expect(imagesSection(images)).toContain('starts each image 3 times');
  });

  it('is in the report before the delivery code only when the images were measured', () => {
    const withImages = renderMarkdown({ ...input, images });
    expect(withImages.indexOf('## Images')).toBeGreaterThan(0);
    expect(withImages.indexOf('## Images')).toBeLessThan(withImages.indexOf('## Delivery code'));
    expect(renderMarkdown(input)).not.toContain('## Images');
  });
});

describe('renderChart', () => {
  it('renders an SVG with every scenario and mode', async () => {
    const svg = await renderChart(input);
    expect(svg).toMatch(/^<svg /);
    for (const text of [
      '(a) GET /api/articles?limit=10&amp;offset=N',
      '(c) GET /api/tags',
      '(a) bare ceiling',
      'app shell (index.html): GET /',
      'single instance',
      'cluster (2 processes)',
    ])
      expect(svg).toContain(text);
  });
});
