export { ConduitStage, type ConduitStageProps } from './conduit-stage.js';
export { resolveEnvironment, type StageEnvironment } from './environment.js';
export { cdkJsonContext, type StackId, type SynthesizedStage, synthesizeStage } from './synthesize.js';
