export * from './analysis/metrics.js';
export { renderStage, toYaml } from './render.js';
export * from './settings.js';
export { stage, stageNames, stages } from './stages/index.js';
