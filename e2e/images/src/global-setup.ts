import type { TestProject } from 'vitest/node';
import { buildImage, TIERS, type Tier } from './images.js';
import { type StandIns, standIns } from './stand-ins.js';

declare module 'vitest' {
  export interface ProvidedContext {
    standIns: StandIns;
    /** `localhost/conduit/<tier>:1.0.0`, built from the real Dockerfiles. */
    images: Record<Tier, string>;
  }
}

/**
 * Builds the stand-in bases (cached by recipe) and the four images once for every test file; podman's
 * layer cache makes an unchanged build take seconds.
 */
export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const log = (line: string) =>
    console.log(`[images] ${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
  const bases = await standIns(log);
  log('stand-ins ready');
  const images = {} as Record<Tier, string>;
  // One build at a time: each runs npm ci and a bundler, and the machine has two cores.
  for (const tier of TIERS) {
    images[tier] = await buildImage(tier, bases);
    log(`built ${images[tier]}`);
  }
  project.provide('standIns', bases);
  project.provide('images', images);
}
