import { canaryDrill } from './canary.js';
import { dbDrill } from './db.js';
import { fuzzDrill } from './fuzz.js';
import { killDrill } from './kill.js';
import { startNeighbour } from './lib/neighbour.js';
import type { Budget, DrillResult } from './lib/report.js';
import { releaseDrill } from './release.js';
import { soakDrill } from './soak.js';

/** Every drill by its `npm run drill:<name>` name. */
export const drills: Readonly<Record<string, (budget: Budget) => Promise<DrillResult>>> = {
  release: releaseDrill,
  canary: canaryDrill,
  db: dbDrill,
  kill: killDrill,
  soak: soakDrill,
  fuzz: fuzzDrill,
};

/**
 * One busy process: half of this two-core machine, the share another tenant's batch job takes of a node. Not
 * one per core: on a runner another process already keeps busy, that stacks three busy processes on two
 * cores, a node past any SLO, where even a healthy canary's p99 (1.3 s seen) breaks the latency bound.
 */
const NEIGHBOUR_PROCESSES = 1;

/** The longest a neighbour may outlive a drill that never stopped it: above every drill's full budget. */
const NEIGHBOUR_MAX_MS = 20 * 60_000;

/**
 * Runs a drill, with `neighbour` a noisy neighbour for its whole duration: a busy process (see above),
 * at the drill's own priority, started before the drill's first process and stopped after its last.
 */
export async function runDrill(
  name: string,
  budget: Budget,
  options: { readonly neighbour: boolean },
): Promise<DrillResult> {
  const drill = drills[name];
  if (!drill) throw new Error(`unknown drill "${name}"; one of: ${Object.keys(drills).join(', ')}`);
  if (!options.neighbour) return drill(budget);
  const neighbour = startNeighbour({ processes: NEIGHBOUR_PROCESSES, maxMs: NEIGHBOUR_MAX_MS });
  try {
    const result = await drill(budget);
    return {
      ...result,
      lines: [`noisy neighbour: ${neighbour.processes} busy processes for the whole drill`, ...result.lines],
    };
  } finally {
    await neighbour.stop();
  }
}
