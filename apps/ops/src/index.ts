export { buildProgram, runCli } from './cli.js';
export type { AwsApi } from './lib/aws-api.js';
export type { Deps, Migrator } from './lib/context.js';
export { ExitCode } from './lib/errors.js';
export type { KubeApi } from './lib/kube-api.js';
export {
  compareStats,
  type DumpManifest,
  dumpDatabase,
  restoreDump,
  type TableStat,
  verifyDump,
} from './lib/pg-dump.js';
export { type StageFacts, stageFacts } from './lib/stages.js';
