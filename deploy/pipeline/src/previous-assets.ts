import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imageRef, STAGE_NAMES, STATIC_ASSETS, servesStaticAssets } from '@conduit/platform';
import { readStageImages } from './stage-images.js';

/** Runs the container CLI (`docker`, or `podman`, which takes the same `create`/`cp`/`rm`); resolves stdout. */
export type ContainerCli = (args: readonly string[]) => Promise<string>;

export function containerCli(command: string, env: NodeJS.ProcessEnv = process.env): ContainerCli {
  return async (args) => {
    try {
      const { stdout } = await promisify(execFile)(command, [...args], { env, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      const last = (stderr ?? message).trim().split('\n').at(-1);
      throw new Error(`${command} ${args[0]}: ${last}`);
    }
  };
}

export interface Collected {
  readonly ref: string;
  /** Files copied from the image (its own assets); empty when `skipped`. */
  readonly files: readonly string[];
  /** Why nothing was taken from this image (it could not be pulled). */
  readonly skipped?: string;
}

/**
 * Copies the own hashed assets of each image in `refs` into `out` (a flat folder, the Dockerfile's
 * `previous-assets` context). An image without an own list (built before the list existed) gives all of its
 * assets. An image that cannot be created (not in the registry: a stage nothing was released to yet) is
 * reported as skipped rather than failing the release; anything else wrong with an image is an error.
 */
export async function collectPreviousAssets(
  refs: readonly string[],
  out: string,
  cli: ContainerCli,
): Promise<Collected[]> {
  await mkdir(out, { recursive: true });
  const collected: Collected[] = [];
  for (const ref of new Set(refs)) {
    let id: string;
    try {
      id = (await cli(['create', ref])).trim().split('\n').at(-1) ?? '';
    } catch (error) {
      collected.push({ ref, files: [], skipped: (error as Error).message });
      continue;
    }
    const scratch = await mkdtemp(join(tmpdir(), 'previous-assets-'));
    try {
      await cli(['cp', `${id}:${STATIC_ASSETS.dir}/.`, join(scratch, 'assets')]);
      const present = new Set(await readdir(join(scratch, 'assets')));
      const own = await cli(['cp', `${id}:${STATIC_ASSETS.ownList}`, join(scratch, 'own.txt')]).then(
        async () => (await readFile(join(scratch, 'own.txt'), 'utf8')).split('\n').filter(Boolean),
        () => [...present],
      );
      for (const name of own) {
        if (!present.has(name))
          throw new Error(`${ref}: ${STATIC_ASSETS.ownList} lists ${name}, which it lacks`);
        await copyFile(join(scratch, 'assets', name), join(out, name));
      }
      collected.push({ ref, files: own.sort() });
    } finally {
      await cli(['rm', id]).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return collected;
}

/**
 * The references of `image` that the stages run, read from their images files and pulled from `repository`
 * (the registry the release pushes to, which holds every image it built: promotion copies the same digest).
 */
export async function stageRefs(root: string, image: string, repository: string): Promise<string[]> {
  const refs: string[] = [];
  for (const stage of STAGE_NAMES) {
    const setting = (await readStageImages(root, stage))[image];
    if (setting) refs.push(imageRef({ ...setting, repository }));
  }
  return [...new Set(refs)];
}

/** `stage-image previous-assets`: what the release of `image` must carry, collected into `out`. */
export async function previousAssets(
  root: string,
  image: string,
  repository: string,
  out: string,
  cli: ContainerCli,
): Promise<string[]> {
  if (!servesStaticAssets(image)) {
    await mkdir(out, { recursive: true });
    return [`${image}: serves no hashed assets, nothing to carry`];
  }
  const collected = await collectPreviousAssets(await stageRefs(root, image, repository), out, cli);
  return collected.map((c) =>
    c.skipped
      ? `::warning::${image}: nothing carried from ${c.ref} (${c.skipped}); pages loaded from it lose their lazy chunks once it is replaced`
      : `${image}: carried ${c.files.length} files from ${c.ref}`,
  );
}
