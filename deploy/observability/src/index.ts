export * from './alertmanager.js';
export * from './dashboards.js';
export * from './metrics.js';
export * from './names.js';
export * from './promql.js';
export * from './rules.js';
