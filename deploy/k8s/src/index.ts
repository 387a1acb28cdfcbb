export * from './analysis/metrics.js';
export { canaryWorkloads, type RuntimeOwnedField, runtimeOwnedFields } from './constructs/argocd.js';
export { type K8sObject, type RenderedStage, renderStage, toYaml } from './render.js';
export * from './settings.js';
export { renderSettings, renderSettingsOf, scenarioSettings } from './stages/index.js';
export { DIST_DIR } from './synth.js';
