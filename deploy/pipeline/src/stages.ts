import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The stages in promotion order: a version reaches a stage only after the one before it ran it. */
export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** The file the k8s workspace reads a stage's settings from (relative to the repository root). */
export function stageFile(stage: Stage): string {
  return `deploy/k8s/src/stages/${stage}.ts`;
}

const IMAGE_VERSION = /^(\s*imageVersion:\s*)'([^']*)'(,?)\s*$/gm;
// An immutable release tag (the full git SHA, as the release workflow pushes it) or an image digest.
const VERSION = /^(?:[0-9a-f]{40}|sha256:[0-9a-f]{64})$/;

export function parseStage(name: string): Stage {
  if ((STAGES as readonly string[]).includes(name)) return name as Stage;
  throw new Error(`unknown stage "${name}" (known: ${STAGES.join(', ')})`);
}

/** The stage a target is promoted from; dev is fed by the release workflow, never promoted into. */
export function promotionSource(target: Stage): Stage {
  const index = STAGES.indexOf(target);
  const source = STAGES[index - 1];
  if (source === undefined) throw new Error(`stage "${target}" is released by release.yml, not promoted`);
  return source;
}

export function assertVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new Error(`image version "${version}" must be a full 40-hex git SHA or a sha256:<64 hex> digest`);
  }
}

/** Reads `imageVersion` from a stage settings source text; exactly one assignment must exist. */
export function readImageVersion(source: string, file = 'stage file'): string {
  const matches = [...source.matchAll(IMAGE_VERSION)];
  if (matches.length !== 1) {
    throw new Error(
      `${file}: expected exactly one "imageVersion: '<version>'" line, found ${matches.length}`,
    );
  }
  return matches[0]![2]!;
}

/** Returns the source text with `imageVersion` replaced; the rest of the file is left byte for byte. */
export function writeImageVersion(source: string, version: string, file = 'stage file'): string {
  assertVersion(version);
  readImageVersion(source, file);
  return source.replace(
    IMAGE_VERSION,
    (_line, head: string, _old: string, comma: string) => `${head}'${version}'${comma}`,
  );
}

export async function getStageVersion(root: string, stage: Stage): Promise<string> {
  const file = stageFile(stage);
  return readImageVersion(await readFile(join(root, file), 'utf8'), file);
}

export async function setStageVersion(root: string, stage: Stage, version: string): Promise<void> {
  const file = stageFile(stage);
  const path = join(root, file);
  await writeFile(path, writeImageVersion(await readFile(path, 'utf8'), version, file));
}

/**
 * The rule a promotion pull request must satisfy: the version proposed for a stage has already run in the
 * stage before it. `sourceHistory` holds every version the source stage has had on the main branch.
 */
export function checkPromotion(target: Stage, proposed: string, sourceHistory: readonly string[]): void {
  const source = promotionSource(target);
  if (!sourceHistory.includes(proposed)) {
    throw new Error(
      `${target} cannot take image version ${proposed}: it never ran in ${source} (promote ${source} first; stages cannot be skipped)`,
    );
  }
}
