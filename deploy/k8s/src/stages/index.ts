import { type StageName, type StageSettings, validateStage } from '../settings.js';
import { dev } from './dev.js';
import { prod } from './prod.js';
import { staging } from './staging.js';

export const stages: Readonly<Record<StageName, StageSettings>> = { dev, staging, prod };
export const stageNames = Object.keys(stages) as StageName[];

export function stage(name: string): StageSettings {
  const s = stages[name as StageName];
  if (!s) throw new Error(`unknown stage "${name}" (known: ${stageNames.join(', ')})`);
  return validateStage(s);
}
