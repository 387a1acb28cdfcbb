import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startNeighbour } from './neighbour.js';

/** CPU seconds a process has used, from /proc/<pid>/stat (utime + stime, 100 ticks a second). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('noisy neighbour', () => {
  it('burns CPU in each of its processes until stopped', async () => {
    const neighbour = startNeighbour({ processes: 2, maxMs: 20_000 });
    try {
      await sleep(2000);
      const used = await Promise.all(neighbour.pids.map(cpuSeconds));
      // Each process is runnable all the time; even on a shared 2-core machine it gets a good share of 2 s.
      for (const seconds of used) expect(seconds).toBeGreaterThan(0.3);
      expect(neighbour.running()).toBe(2);
    } finally {
      await neighbour.stop();
    }
    expect(neighbour.running()).toBe(0);
  });

  it('stops by itself after its bound, so a drill that dies cannot leave it burning', async () => {
    const neighbour = startNeighbour({ processes: 1, maxMs: 300 });
    const deadline = Date.now() + 10_000;
    while (neighbour.running() > 0 && Date.now() < deadline) await sleep(100);
    expect(neighbour.running()).toBe(0);
  });
});
