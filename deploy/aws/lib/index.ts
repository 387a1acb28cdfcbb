export { addConduitStages, CONTEXT_KEY_PATTERNS, CONTEXT_KEYS } from './app.js';
export { ConduitStage, type ConduitStageProps } from './conduit-stage.js';
export { resolveEnvironment, type StageEnvironment } from './environment.js';
export { CDK_QUALIFIER, GITHUB_OIDC_URL } from './stacks/ci-identity-stack.js';
export { cdkJsonContext, type StackId, type SynthesizedStage, synthesizeStage } from './synthesize.js';
