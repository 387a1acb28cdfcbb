export { type ApiProcess, type ApiProcessOptions, startApiProcess } from './api-process.js';
export { freePort } from './ports.js';
export { startPostgres, TEST_DATABASE_USER, type TestPostgres } from './postgres.js';
export { requireTool } from './tools.js';
