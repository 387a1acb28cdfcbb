// The API as src/server.ts builds and serves it, with the operational features named in BENCH_WITHOUT
// (comma-separated) left out, for the benchmark to measure what each one costs. The benchmark starts it on a
// migrated database; it runs from source like the bare ceiling, so its costs are measured against this same
// entry with nothing left out, not against the bundle.
import pino from 'pino';
import { BENCHED_FEATURES, type BenchedFeature, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { loggerOptions } from '../src/logger.js';

const without = (process.env.BENCH_WITHOUT ?? '').split(',').filter(Boolean);
const unknown = without.filter((name) => !(BENCHED_FEATURES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(
    `BENCH_WITHOUT: unknown feature ${unknown.join(', ')} (known: ${BENCHED_FEATURES.join(', ')})`,
  );
  process.exit(1);
}
const { config } = loadConfig();
const app = await buildApp(config, {
  loggerInstance: pino(loggerOptions(config) as pino.LoggerOptions),
  without: without as BenchedFeature[],
});
await app.listen({ host: config.HOST, port: config.PORT });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
