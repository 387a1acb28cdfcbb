export * from './alertmanager.js';
export * from './dashboards.js';
export * from './metrics.js';
export { type ObserveOptions, writeObserveFiles } from './observe.js';
export * from './promql.js';
export * from './rules.js';
export * from './values.js';
