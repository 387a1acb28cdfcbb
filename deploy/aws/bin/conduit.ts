import { App } from 'aws-cdk-lib';
import { addConduitStages } from '../lib/app.js';

// In-memory mode makes a cdk-nag finding throw with the full report, so `cdk synth` exits non-zero.
const app = new App({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
addConduitStages(app);
app.synth();
