import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StageImages, StageName } from '@conduit/platform';
import { parseImages, pinOf, stageFile } from './stage-images.js';

const run = promisify(execFile);

async function git(root: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

/**
 * Every pin (digest, else tag) a stage's image has had in the history of `ref`, newest first, no repeats.
 * Only that image is checked in old commits: they predate images added since.
 */
export async function stageImageHistory(
  root: string,
  ref: string,
  stage: StageName,
  image: string,
): Promise<string[]> {
  const file = stageFile(stage);
  const commits = (await git(root, ['log', '--format=%H', '--diff-filter=AMR', ref, '--', file]))
    .split('\n')
    .filter(Boolean);
  const pins: string[] = [];
  for (const commit of commits) {
    const images = parseImages(await git(root, ['show', `${commit}:${file}`]), `${file}@${commit}`, [image]);
    const pin = pinOf(images[image]!);
    if (!pins.includes(pin)) pins.push(pin);
  }
  return pins;
}

/** The stage's images as they are at `ref`; an image added since is simply absent. */
export async function stageImagesAt(root: string, ref: string, stage: StageName): Promise<StageImages> {
  const file = stageFile(stage);
  return parseImages(await git(root, ['show', `${ref}:${file}`]), `${file}@${ref}`, 'present');
}
