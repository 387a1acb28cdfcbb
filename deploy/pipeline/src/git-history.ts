import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readImageVersion, type Stage, stageFile } from './stages.js';

const run = promisify(execFile);

async function git(root: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: root, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

/** Every `imageVersion` a stage has had in the history of `ref` (newest first, without repeats). */
export async function stageVersionHistory(root: string, ref: string, stage: Stage): Promise<string[]> {
  const file = stageFile(stage);
  const commits = (await git(root, ['log', '--format=%H', '--diff-filter=AMR', ref, '--', file]))
    .split('\n')
    .filter(Boolean);
  const versions: string[] = [];
  for (const commit of commits) {
    const version = readImageVersion(await git(root, ['show', `${commit}:${file}`]), `${file}@${commit}`);
    if (!versions.includes(version)) versions.push(version);
  }
  return versions;
}

/** The stage's `imageVersion` as it is at `ref`. */
export async function stageVersionAt(root: string, ref: string, stage: Stage): Promise<string> {
  const file = stageFile(stage);
  return readImageVersion(await git(root, ['show', `${ref}:${file}`]), `${file}@${ref}`);
}
