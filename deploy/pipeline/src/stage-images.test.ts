import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  images as imageNames,
  imageRepository,
  STAGE_NAMES,
  STAGES,
  type StageImages,
  type StageName,
} from '@conduit/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { stageRefs } from './previous-assets.js';
import { formatImages, parseImages, promoteImages, setPushed, stageFile } from './stage-images.js';

const sha = (digit: string) => digit.repeat(40);
const digest = (digit: string) => `sha256:${digit.repeat(64)}`;
const repo = (stage: StageName, image: string) => imageRepository(STAGES[stage], image);
const images = (stage: StageName, pin: { digest?: string; tag?: string }): StageImages =>
  Object.fromEntries(imageNames().map((image) => [image, { repository: repo(stage, image), ...pin }]));

describe('stage image files', () => {
  it('set records the pushed digest and git SHA of one image and keeps the rest', () => {
    const before = images('dev', { tag: sha('1') });
    const after = setPushed(before, 'ops', digest('a'), sha('2'));
    expect(after.ops).toEqual({ repository: repo('dev', 'ops'), digest: digest('a'), tag: sha('2') });
    expect(after.api).toEqual(before.api);
    expect(parseImages(formatImages(after))).toEqual(after);
  });

  it('refuses latest, short tags, malformed digests, missing images and foreign repositories', () => {
    const text = (value: unknown) => JSON.stringify(value);
    expect(() => setPushed(images('dev', { tag: sha('1') }), 'api', 'latest')).toThrow(/sha256:<64 hex>/);
    expect(() => parseImages(text(images('dev', { tag: 'latest' })), 'dev.json')).toThrow(
      'dev.json: images.api.tag must be an immutable git SHA, never "latest"',
    );
    expect(() => parseImages(text(images('dev', { digest: 'sha256:abc' })))).toThrow(/api.digest/);
    const { ops: _ops, ...noOps } = images('dev', { tag: sha('1') });
    expect(() => parseImages(text(noOps), 'dev.json')).toThrow('dev.json: images.ops is missing');
    expect(() => parseImages('{', 'dev.json')).toThrow(/dev.json: not JSON/);
  });

  it('promotion copies digests per image into the target registry and refuses tag-only sources', () => {
    const dev = setPushed(images('dev', { tag: sha('1') }), 'api', digest('a'), sha('2'));
    expect(() => promoteImages(dev, images('staging', { tag: sha('1') }), 'dev')).toThrow(
      /dev web has no digest/,
    );
    // release.yml has pushed every other image of the model too.
    const released = {
      ...dev,
      ...Object.fromEntries(
        imageNames()
          .filter((image) => image !== 'api')
          .map((image) => [
            image,
            { repository: repo('dev', image), digest: digest(image === 'ops' ? 'c' : 'b') },
          ]),
      ),
    };
    const staging = promoteImages(released, images('staging', { tag: sha('1') }), 'dev');
    expect(staging.api).toEqual({ repository: repo('staging', 'api'), digest: digest('a'), tag: sha('2') });
    expect(staging.ops).toEqual({ repository: repo('staging', 'ops'), digest: digest('c') });
  });

  it('reads the real stage files of deploy/k8s', async () => {
    const root = new URL('../../..', import.meta.url).pathname;
    for (const stage of STAGE_NAMES) {
      const parsed = parseImages(await readFile(join(root, stageFile(stage)), 'utf8'), stageFile(stage));
      for (const image of imageNames()) expect(parsed[image]!.repository).toBe(repo(stage, image));
    }
  });
});

describe('stage-image on a real git history', () => {
  let root: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@e',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@e',
      },
    });
  const write = (stage: StageName, content: StageImages) =>
    writeFile(join(root, stageFile(stage)), formatImages(content));
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    await main(argv, root, (line) => lines.push(line));
    return lines;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'conduit-promote-'));
    await mkdir(join(root, 'deploy/k8s/src/stages/images'), { recursive: true });
    git('init', '-q', '-b', 'main');
    for (const stage of STAGE_NAMES) await write(stage, images(stage, { digest: digest('1') }));
    git('add', '.');
    git('commit', '-qm', 'initial');
    // dev released 2 then 3; staging took 2.
    await write('dev', images('dev', { digest: digest('2') }));
    git('commit', '-qam', 'dev 2');
    await write('staging', images('staging', { digest: digest('2') }));
    git('commit', '-qam', 'staging 2');
    await write('dev', images('dev', { digest: digest('3') }));
    git('commit', '-qam', 'dev 3');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('accepts prod taking what staging ran', async () => {
    git('checkout', '-q', '--', '.');
    await write('prod', images('prod', { digest: digest('2') }));
    expect(await run('check-promotion', 'main')).toEqual(
      imageNames().map((image) => `prod ${image} -> ${digest('2')}: ran in staging before`),
    );
  });

  it('rejects prod taking an image that only dev ran (skipping staging), even for one image', async () => {
    git('checkout', '-q', '--', '.');
    const prod = images('prod', { digest: digest('2') });
    await write('prod', { ...prod, ops: { repository: repo('prod', 'ops'), digest: digest('3') } });
    await expect(run('check-promotion', 'main')).rejects.toThrow(
      /prod cannot take ops image sha256:3{64}: it never ran in staging/,
    );
  });

  it("previous-assets pulls each stage's web image, by its pin, from the release's registry, once per image", async () => {
    git('checkout', '-q', '--', '.');
    const registry = '111111111111.dkr.ecr.us-east-1.amazonaws.com/conduit/web';
    expect(await stageRefs(root, 'web', registry)).toEqual([
      `${registry}@${digest('3')}`,
      `${registry}@${digest('2')}`,
      `${registry}@${digest('1')}`,
    ]);
    // prod took staging's: the same image is collected once.
    await write('prod', images('prod', { digest: digest('2') }));
    expect(await stageRefs(root, 'web', registry)).toEqual([
      `${registry}@${digest('3')}`,
      `${registry}@${digest('2')}`,
    ]);
  });

  it('set writes what release pushed; promote copies it on; get/source read it back', async () => {
    git('checkout', '-q', '--', '.');
    expect(await run('set', 'dev', 'ops', digest('4'), sha('4'))).toEqual([
      `dev ops -> ${repo('dev', 'ops')}@${digest('4')}`,
    ]);
    // Every image of the model, in release order; only ops got a new digest.
    expect(await run('promote', 'staging')).toEqual(
      imageNames().map(
        (image) =>
          `staging ${image} -> ${repo('staging', image)}@${digest(image === 'ops' ? '4' : '3')} (from dev)`,
      ),
    );
    expect(await run('get', 'staging', 'api')).toEqual([`${repo('staging', 'api')}@${digest('3')}`]);
    expect(await run('source', 'prod')).toEqual(['staging']);
    expect(JSON.parse((await run('refs', 'staging'))[0]!)).toEqual(
      Object.fromEntries(
        imageNames().map((image) => [
          image,
          `${repo('staging', image)}@${digest(image === 'ops' ? '4' : '3')}`,
        ]),
      ),
    );
    // ops 4 exists only in the working tree, not in main's dev history.
    await expect(run('check-promotion', 'main')).rejects.toThrow(/staging cannot take ops image/);
    await expect(run('promote', 'dev')).rejects.toThrow(/released by release.yml/);
    await expect(run('get', 'dev', 'db')).rejects.toThrow(
      `unknown image "db" (known: ${imageNames().join(', ')})`,
    );
    await expect(run('frobnicate')).rejects.toThrow(/usage: stage-image/);
  });
});
