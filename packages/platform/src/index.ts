export * from './ci.js';
export * from './images.js';
export * from './names.js';
export * from './options.js';
export * from './placeholders.js';
export * from './scenarios.js';
export * from './stages.js';
export * from './workloads.js';
