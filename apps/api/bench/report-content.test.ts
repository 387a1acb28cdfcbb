import { describe, expect, it } from 'vitest';
import { BENCH_SIZE } from '../src/db/seed.js';
import {
  type ApiMeasurement,
  type ImagesBenchRun,
  imagesSection,
  LIST_SCENARIO,
  listGoals,
  type ReportInput,
  renderChart,
  renderMarkdown,
} from './report-content.js';

function measured(
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
    requestsPerSecond,
    p50Ms,
    p99Ms,
    non2xx: 0,
    errors: 0,
    loadGeneratorCpu,
  };
}

const load = { before: [0.5, 0.4, 0.3], after: [1.9, 1.2, 0.6] };
// Single meets both goals; the cluster misses both (60% of its ceiling, p99 over 50 ms).
const input: ReportInput = {
  api: {
    date: '2026-11-24T10:00:00.000Z',
    node: 'v20.20.2',
    postgres: '17.6',
    autocannon: '9.0.0',
    connections: 50,
    durationSeconds: 10,
    dataSet: BENCH_SIZE,
    loadAverage: load,
    results: [
      measured(LIST_SCENARIO, 'api', 'single', 1994, 23, 39),
      measured('(c) GET /api/tags', 'api', 'single', 7116, 6, 12),
      measured(LIST_SCENARIO, 'bare', 'single', 2048, 23, 37),
      measured(LIST_SCENARIO, 'api', 'cluster', 1800, 25, 61),
      measured('(c) GET /api/tags', 'api', 'cluster', 9000, 5, 10, 0.95),
      measured(LIST_SCENARIO, 'bare', 'cluster', 3000, 15, 30),
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

describe('listGoals', () => {
  it('compares the list with the bare ceiling of the same mode', () => {
    expect(listGoals(input.api.results, 'single')).toMatchObject({ ratioMet: true, p99Met: true });
    expect(listGoals(input.api.results, 'cluster')).toMatchObject({
      ratio: 0.6,
      ratioMet: false,
      p99Ms: 61,
      p99Met: false,
    });
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
  });

  it('puts single, cluster and their ratio on one row per scenario', () => {
    expect(markdown).toMatch(
      /\| \(a\) `GET \/api\/articles\?limit=10&offset=N` +\| +1,994 \| +23 ms \| +39 ms \| +1,800 \| +25 ms \| +61 ms \| +×0\.90 \|/,
    );
    expect(markdown).toMatch(/\| \(c\) `GET \/api\/tags` +\| +7,116 \| .* \| +9,000 \| .* \| +×1\.26 \|/);
    expect(markdown).toMatch(/\| bare `node:http` \+ `pg` ceiling for \(a\) +\| +2,048 \| .* \| +3,000 \|/);
  });

  it('gives each goal its verdict', () => {
    expect(markdown).toMatch(
      /\| \(a\) reaches ≥ 70% of the bare ceiling \(single instance\) +\| +97% \| met +\|/,
    );
    expect(markdown).toMatch(/\| \(a\) p99 < 50 ms \(single instance\) +\| +39 ms \| met +\|/);
    expect(markdown).toMatch(
      /\| \(a\) reaches ≥ 70% of the bare ceiling \(cluster of 2\) +\| +60% \| \*\*not met\*\* \|/,
    );
    expect(markdown).toMatch(/\| \(a\) p99 < 50 ms \(cluster of 2\) +\| +61 ms \| \*\*not met\*\* \|/);
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
      'bare node:http + pg ceiling for (a)',
      'app shell (index.html): GET /',
      'single instance',
      'cluster (2 processes)',
    ])
      expect(svg).toContain(text);
  });
});
