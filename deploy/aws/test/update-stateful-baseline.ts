import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_FILE, collectStateful } from './stateful.js';
import { PACKAGE_DIR, synthAll } from './synth.js';

// Deliberately accepts the current stateful resources as the new baseline (see README, "Replacement guard").
const outdir = mkdtempSync(join(tmpdir(), 'conduit-aws-baseline-'));
try {
  const { validationError } = synthAll(outdir);
  if (validationError) throw new Error(`synthesis failed: ${validationError}`);
  const file = join(PACKAGE_DIR, BASELINE_FILE);
  writeFileSync(file, `${JSON.stringify(collectStateful(outdir), null, 2)}\n`);
  // The repo's formatter owns JSON layout; without it the diff of a deliberate update is mostly noise.
  execFileSync('npx', ['--no-install', 'biome', 'format', '--write', file], { stdio: 'ignore' });
  console.log(`wrote ${BASELINE_FILE}; commit it with the reason for the replacement`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
