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

/** The longest a neighbour may outlive a drill that never stopped it: above every drill's full budget. */
const NEIGHBOUR_MAX_MS = 20 * 60_000;

/**
 * Runs a drill, with `neighbour` a noisy neighbour for its whole duration: busy processes, one per core,
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
  const neighbour = startNeighbour({ maxMs: NEIGHBOUR_MAX_MS });
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
