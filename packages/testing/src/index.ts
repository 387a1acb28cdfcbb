export { freePort } from './ports.js';
export { startPostgres, type TestPostgres } from './postgres.js';
export { requireTool } from './tools.js';
