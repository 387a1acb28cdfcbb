import { describe, expect, it } from 'vitest';
import { drills } from './drills.js';

// The CI budget of every drill, one after the other: each starts its own PostgreSQL, API instances, nginx
// and Prometheus on loopback and stops them. The measurements are printed for the CI log.
describe('drills (CI budget)', () => {
  it.each(Object.keys(drills))('drill:%s passes', async (name) => {
    const result = await drills[name]!('ci');
    console.log(`drill:${name}\n  ${result.lines.join('\n  ')}`);
    expect(result.failures).toEqual([]);
  });
});
