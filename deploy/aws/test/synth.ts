import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { addConduitStages } from '../lib/app.js';
import { cdkJsonContext } from '../lib/synthesize.js';

export { cdkJsonContext };

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

export interface SynthResult {
  outdir: string;
  synthMs: number;
  /** The validation error (cdk-nag findings) if synthesis was interrupted, else null. */
  validationError: string | null;
  acknowledgements: Acknowledgement[];
}

/** Synthesizes every stage with the cdk-nag checks into `outdir`, as `npm run synth` does. */
export function synthAll(outdir: string): SynthResult {
  const started = performance.now();
  const app = new App({ outdir, context: { ...cdkJsonContext(), '@aws-cdk/core:appMode': 'inmemory' } });
  addConduitStages(app);
  let validationError: string | null = null;
  try {
    app.synth();
  } catch (error) {
    validationError = error instanceof Error ? error.message : String(error);
  }
  const synthMs = performance.now() - started;
  const acknowledgements: Acknowledgement[] = [];
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        acknowledgements.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return { outdir, synthMs, validationError, acknowledgements };
}
