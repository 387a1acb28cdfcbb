export * from './analysis/metrics.js';
export { renderStage, toYaml } from './render.js';
export * from './settings.js';
export { renderSettings, renderSettingsOf } from './stages/index.js';
