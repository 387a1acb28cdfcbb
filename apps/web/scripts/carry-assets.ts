import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Run by the image build after `vite build`: lists the build's own hashed assets and adds the assets of
 * the releases the stages still run (collected by `stage-image previous-assets` from their images).
 *
 * A page whose index.html came from an earlier release loads its lazy chunks later, possibly after every
 * pod of that release is gone; the new pods then serve those chunks too. Only the *own* list of each image
 * is carried forward, so an image holds its build plus the builds it replaces, never a growing history.
 */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`no directory at ${dir}`);
    throw error;
  });
  const names: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) throw new Error(`${join(dir, entry.name)} is not a regular file`);
    if (!ASSET_NAME.test(entry.name)) throw new Error(`${join(dir, entry.name)}: not an asset file name`);
    names.push(entry.name);
  }
  return names.sort();
}

export interface Carried {
  /** The build's own assets, written to the own-list file. */
  readonly own: readonly string[];
  /** Files of earlier releases added to the build's assets. */
  readonly added: readonly string[];
}

export async function carryAssets(dist: string, previous: string, ownList: string): Promise<Carried> {
  const assets = join(dist, 'assets');
  const own = await filesIn(assets);
  if (own.length === 0) throw new Error(`${assets} is empty: run the build first`);
  const ownSet = new Set(own);
  const added: string[] = [];
  for (const name of await filesIn(previous)) {
    if (ownSet.has(name)) {
      // A hashed name fixes its content: the same name with other bytes is not a build output of ours.
      const [mine, theirs] = await Promise.all([
        readFile(join(assets, name)),
        readFile(join(previous, name)),
      ]);
      if (!mine.equals(theirs)) throw new Error(`${name} differs from the file of that name in this build`);
      continue;
    }
    await copyFile(join(previous, name), join(assets, name));
    added.push(name);
  }
  await writeFile(ownList, `${own.join('\n')}\n`);
  return { own, added };
}

async function main(): Promise<void> {
  const [dist, previous, ownList] = process.argv.slice(2);
  if (!dist || !previous || !ownList)
    throw new Error('usage: carry-assets <build directory> <previous assets directory> <own list file>');
  if (!(await stat(dist).catch(() => null))?.isDirectory()) throw new Error(`no build directory at ${dist}`);
  const { own, added } = await carryAssets(dist, previous, ownList);
  console.log(
    `carry-assets: ${own.length} files of this build, ${added.length} carried from earlier releases`,
  );
}

// Imported by its test; run by the image build.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`carry-assets: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
