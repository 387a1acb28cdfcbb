export * from './images.js';
export * from './names.js';
export * from './options.js';
export * from './scenarios.js';
export * from './secrets.js';
export * from './stacks.js';
export * from './stages.js';
export * from './workloads.js';
