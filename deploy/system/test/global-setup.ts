import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeStage } from '@conduit/aws';
import { SCENARIOS, scenarioStage } from '@conduit/platform';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder holding `<scenario>.json`: the synthesized templates of each scenario. */
    synthDir: string;
  }
}

/** Synthesizes every scenario of the platform model once (with cdk-nag, as `cdk synth` does). */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-system-'));
  const started = performance.now();
  for (const scenario of SCENARIOS) {
    const outdir = join(dir, 'cdk.out', scenario.name);
    mkdirSync(outdir, { recursive: true });
    const synthesized = synthesizeStage(scenarioStage(scenario), outdir);
    writeFileSync(join(dir, `${scenario.name}.json`), JSON.stringify(synthesized));
  }
  console.log(
    `[conduit-system] synth of ${SCENARIOS.length} scenarios (with cdk-nag): ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  project.provide('synthDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
