import { describe, expect, it } from 'vitest';
import { drills, runDrill } from './drills.js';

// The CI budget of every drill, one after the other, each beside a noisy neighbour (a busy process for
// the whole drill; drills.ts says why one), because shared nodes are the norm: a gate that holds only on an idle machine
// does not hold. The canary drill runs once more on the quiet machine, where a healthy canary must pass
// too. Each drill starts its own PostgreSQL, API instances, nginx and Prometheus on loopback and stops
// them. The measurements are printed for the CI log.
describe('drills (CI budget)', () => {
  it.each(Object.keys(drills))('drill:%s passes beside a noisy neighbour', async (name) => {
    const result = await runDrill(name, 'ci', { neighbour: true });
    console.log(`drill:${name} (noisy neighbour)\n  ${result.lines.join('\n  ')}`);
    expect(result.failures).toEqual([]);
  });

  it('drill:canary passes on a quiet machine', async () => {
    const result = await runDrill('canary', 'ci', { neighbour: false });
    console.log(`drill:canary (quiet)\n  ${result.lines.join('\n  ')}`);
    expect(result.failures).toEqual([]);
  });
});
