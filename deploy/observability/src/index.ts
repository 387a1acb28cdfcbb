export * from './alertmanager.js';
export * from './names.js';
export * from './rules.js';
