export * from './images.js';
export * from './names.js';
export * from './stages.js';
export * from './workloads.js';
