import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type SynthResult, synthAll } from './synth.js';

declare module 'vitest' {
  export interface ProvidedContext {
    synth: SynthResult;
  }
}

/** Synthesizes all stages once; every test file reads the same templates. */
export default function setup(project: TestProject) {
  const outdir = mkdtempSync(join(tmpdir(), 'conduit-aws-'));
  const result = synthAll(outdir);
  // Reported on every run so a slow construct shows up in CI logs.
  console.log(
    `[conduit-aws] synth of dev, staging and prod (with cdk-nag): ${(result.synthMs / 1000).toFixed(1)} s`,
  );
  project.provide('synth', result);
  return () => rmSync(outdir, { recursive: true, force: true });
}
