import { refusePlaceholders } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { addConduitStages } from '../lib/app.js';

// A template value (an example account id, an example.com domain, the template's repository) deploys into
// nobody's account: refuse before synthesizing, naming each setting. `npm run synth` (CI, tests) allows them
// explicitly with CONDUIT_ALLOW_PLACEHOLDERS=1; `cdk deploy`/`cdk diff` never set it.
try {
  refusePlaceholders(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

// In-memory mode makes a cdk-nag finding throw with the full report, so `cdk synth` exits non-zero.
const app = new App({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
addConduitStages(app);
app.synth();
