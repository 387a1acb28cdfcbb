export * from './names.js';
export * from './rules.js';
