import { canaryDrill } from './canary.js';
import { dbDrill } from './db.js';
import { fuzzDrill } from './fuzz.js';
import { killDrill } from './kill.js';
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
