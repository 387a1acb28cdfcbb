// `npm run bench:report -w @conduit/api` (the last step of `npm run bench`): writes docs/performance.md and
// docs/performance.svg from the newest API, web and (when measured on the machine) images and Lighthouse
// results in .bench/.
// It lives with the API benchmark, which produces most of the numbers, so its unit test runs in this
// workspace's `npm test`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type ApiBenchRun,
  type ImagesBenchRun,
  type LighthouseRun,
  type Machine,
  renderChart,
  renderMarkdown,
  type WebBenchRun,
} from './report-content.js';

const benchDir = fileURLToPath(new URL('../../../.bench/', import.meta.url));
const docsDir = fileURLToPath(new URL('../../../docs/', import.meta.url));

const newestName = (prefix: string) =>
  readdirSync(benchDir)
    .filter((file) => file.startsWith(`${prefix}-`) && file.endsWith('.json'))
    .sort()
    .at(-1);

/** The newest `<prefix>-<ISO date>.json`; older files may predate fields the report needs. */
function newest(prefix: 'api' | 'web' | 'images' | 'lighthouse', requiredField: string): unknown {
  const name = newestName(prefix);
  if (!name) throw new Error(`no ${prefix} results in ${benchDir}: run "npm run bench"`);
  const run: unknown = JSON.parse(readFileSync(`${benchDir}${name}`, 'utf8'));
  if (typeof run !== 'object' || run === null || !(requiredField in run))
    throw new Error(
      `${benchDir}${name} has no "${requiredField}": it predates this report, run "npm run bench"`,
    );
  return run;
}

const machine: Machine = {
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: availableParallelism(),
  memoryBytes: totalmem(),
  os: `${type()} ${release()} ${arch()}`,
};
const input = {
  api: newest('api', 'postgres') as ApiBenchRun,
  web: newest('web', 'nginx') as WebBenchRun,
  // The image facts need podman, which `npm run bench` does not require: kept when measured on this machine.
  images: newestName('images') ? (newest('images', 'podman') as ImagesBenchRun) : undefined,
  lighthouse: newestName('lighthouse') ? (newest('lighthouse', 'results') as LighthouseRun) : undefined,
  machine,
};
writeFileSync(`${docsDir}performance.md`, renderMarkdown(input));
writeFileSync(`${docsDir}performance.svg`, `${await renderChart(input)}\n`);
console.log(`wrote ${docsDir}performance.md and ${docsDir}performance.svg`);
