import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_NAMESPACE } from '@conduit/platform';
import { stringify } from 'yaml';
import { alertRuleGroups } from './rules.js';

export interface ObserveOptions {
  /** Port of the local API (`npm start`). */
  readonly apiPort: number;
  /** @default '15s' */
  readonly scrapeInterval?: string;
}

/**
 * Writes prometheus.yml and rules.yml into `dir`: the local API scraped with the labels Kubernetes would add
 * (namespace, pod, track), so the same rules and recording rules work on a laptop. Returns the config path.
 */
export function writeObserveFiles(dir: string, options: ObserveOptions): string {
  if (!Number.isInteger(options.apiPort) || options.apiPort < 1 || options.apiPort > 65535) {
    throw new Error(`PORT must be a TCP port (got "${options.apiPort}")`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rules.yml'), stringify({ groups: alertRuleGroups() }, { lineWidth: 0 }));
  const interval = options.scrapeInterval ?? '15s';
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: ['rules.yml'],
    scrape_configs: [
      {
        job_name: 'api',
        metrics_path: '/metrics',
        static_configs: [
          {
            targets: [`127.0.0.1:${options.apiPort}`],
            labels: { namespace: APP_NAMESPACE, pod: 'local', track: 'stable' },
          },
        ],
      },
    ],
  };
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}

function main(): void {
  const which = (tool: string) =>
    spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  const prometheus = which('prometheus');
  if (prometheus === '') {
    console.error(
      'observe: prometheus is not installed (apt-get install prometheus), so there is nothing to start',
    );
    process.exit(1);
  }
  const apiPort = Number(process.env.PORT ?? '8080');
  const dir = resolve(import.meta.dirname, '../../../.data/observe');
  let config: string;
  try {
    config = writeObserveFiles(dir, { apiPort });
  } catch (error) {
    console.error(`observe: ${(error as Error).message}`);
    process.exit(1);
  }
  const promtool = which('promtool');
  if (promtool !== '') {
    const check = spawnSync(promtool, ['check', 'config', config], { encoding: 'utf8' });
    if (check.status !== 0) {
      console.error(`observe: generated config is invalid:\n${check.stdout}${check.stderr}`);
      process.exit(1);
    }
  }
  console.log(
    `observe: Prometheus on http://127.0.0.1:9090 scraping 127.0.0.1:${apiPort}/metrics (rules loaded)`,
  );
  const child = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:9090',
      '--storage.tsdb.retention.time=2d',
    ],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
