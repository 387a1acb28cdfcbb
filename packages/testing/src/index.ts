export { type ApiProcess, type ApiProcessOptions, GENEROUS_LIMITS, startApiProcess } from './api-process.js';
export {
  type NginxConf,
  type NginxProcess,
  type NginxProcessOptions,
  prefixedConf,
  startNginxProcess,
} from './nginx.js';
export { freePort } from './ports.js';
export { startPostgres, TEST_DATABASE_USER, type TestPostgres } from './postgres.js';
export {
  CHROMIUM_ARGS,
  findTool,
  installCommand,
  requireTool,
  requireTools,
  SYSTEM_TOOLS,
  type SystemTool,
} from './tools.js';
