import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carryAssets } from '../scripts/carry-assets.js';

describe('carry-assets (the image build keeps the assets of the releases it replaces)', () => {
  let dir: string;
  let dist: string;
  let previous: string;
  const put = (folder: string, files: Record<string, string>) =>
    Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(folder, name), text)));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carry-assets-'));
    dist = join(dir, 'dist');
    previous = join(dir, 'previous');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await mkdir(previous);
    await put(join(dist, 'assets'), { 'index-B2.js': 'new entry', 'shared-S1.js': 'shared' });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("adds the earlier release's files, lists only the build's own, and keeps a file both builds have", async () => {
    await put(previous, { 'index-A1.js': 'old entry', 'index-A1.js.gz': 'gz', 'shared-S1.js': 'shared' });
    const result = await carryAssets(dist, previous, join(dir, 'own.txt'));
    expect(result.added).toEqual(['index-A1.js', 'index-A1.js.gz']);
    expect((await readdir(join(dist, 'assets'))).sort()).toEqual([
      'index-A1.js',
      'index-A1.js.gz',
      'index-B2.js',
      'shared-S1.js',
    ]);
    expect(await readFile(join(dist, 'assets', 'index-A1.js'), 'utf8')).toBe('old entry');
    expect(await readFile(join(dir, 'own.txt'), 'utf8')).toBe('index-B2.js\nshared-S1.js\n');
  });

  it('carries nothing from an empty context (a first release, or a build without the named context)', async () => {
    const result = await carryAssets(dist, previous, join(dir, 'own.txt'));
    expect(result).toEqual({ own: ['index-B2.js', 'shared-S1.js'], added: [] });
  });

  it('refuses a file whose hashed name this build has with other content, and names it', async () => {
    await put(previous, { 'shared-S1.js': 'something else' });
    await expect(carryAssets(dist, previous, join(dir, 'own.txt'))).rejects.toThrow(
      'shared-S1.js differs from the file of that name in this build',
    );
  });

  it('refuses what is not a flat folder of asset files, and an empty build', async () => {
    await mkdir(join(previous, 'nested'));
    await expect(carryAssets(dist, previous, join(dir, 'own.txt'))).rejects.toThrow(
      /nested is not a regular file/,
    );
    await rm(join(previous, 'nested'), { recursive: true });
    await expect(carryAssets(dist, join(dir, 'missing'), join(dir, 'own.txt'))).rejects.toThrow(
      /no directory at/,
    );
    await rm(join(dist, 'assets'), { recursive: true });
    await mkdir(join(dist, 'assets'));
    await expect(carryAssets(dist, previous, join(dir, 'own.txt'))).rejects.toThrow(
      /is empty: run the build first/,
    );
  });
});
