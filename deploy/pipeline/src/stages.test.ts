import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { readImageVersion, STAGES, stageFile, writeImageVersion } from './stages.js';

const sha = (digit: string) => digit.repeat(40);
const stageSource = (name: string, version: string) =>
  `import { common } from './shared.js';\n\nexport const ${name} = {\n  ...common,\n  name: '${name}',\n  imageVersion: '${version}',\n  logLevel: 'info',\n};\n`;

describe('stage image settings', () => {
  it('rewrites only the imageVersion line', () => {
    const before = stageSource('dev', '0.1.0');
    const after = writeImageVersion(before, sha('a'));
    expect(readImageVersion(after)).toBe(sha('a'));
    expect(after.replace(sha('a'), '0.1.0')).toBe(before);
  });

  it('refuses mutable or malformed versions and ambiguous files', () => {
    expect(() => writeImageVersion(stageSource('dev', '0.1.0'), 'latest')).toThrow(/full 40-hex git SHA/);
    expect(() => writeImageVersion(stageSource('dev', '0.1.0'), 'abc123')).toThrow(/full 40-hex git SHA/);
    expect(() => readImageVersion('export const x = {};', 'dev.ts')).toThrow(/dev.ts: expected exactly one/);
    expect(writeImageVersion(stageSource('dev', '0.1.0'), `sha256:${'b'.repeat(64)}`)).toContain(
      'sha256:bbbb',
    );
  });

  it('reads the real stage files of deploy/k8s', async () => {
    const root = new URL('../../..', import.meta.url).pathname;
    for (const stage of STAGES) {
      const version = readImageVersion(
        await readFile(join(root, stageFile(stage)), 'utf8'),
        stageFile(stage),
      );
      expect(version.length).toBeGreaterThan(0);
    }
  });
});

describe('stage-image check-promotion on a real git history', () => {
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
  const setStage = (stage: string, version: string) =>
    writeFile(join(root, stageFile(stage as 'dev')), stageSource(stage, version));
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    await main(argv, root, (line) => lines.push(line));
    return lines;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'conduit-promote-'));
    await mkdir(join(root, 'deploy/k8s/src/stages'), { recursive: true });
    git('init', '-q', '-b', 'main');
    for (const stage of STAGES) await setStage(stage, sha('1'));
    git('add', '.');
    git('commit', '-qm', 'initial');
    // dev released 2 then 3; staging took 2.
    await setStage('dev', sha('2'));
    git('commit', '-qam', 'dev 2');
    await setStage('staging', sha('2'));
    git('commit', '-qam', 'staging 2');
    await setStage('dev', sha('3'));
    git('commit', '-qam', 'dev 3');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('accepts prod taking what staging ran', async () => {
    git('checkout', '-q', '--', '.');
    await setStage('prod', sha('2'));
    expect(await run('check-promotion', 'main')).toEqual([`prod -> ${sha('2')}: ran in staging before`]);
  });

  it('rejects prod taking a version that only dev ran (skipping staging)', async () => {
    git('checkout', '-q', '--', '.');
    await setStage('prod', sha('3'));
    await expect(run('check-promotion', 'main')).rejects.toThrow(
      /prod cannot take image version 3{40}: it never ran in staging/,
    );
  });

  it('promote copies the previous stage, get/source read it back', async () => {
    git('checkout', '-q', '--', '.');
    expect(await run('promote', 'staging')).toEqual([`staging -> ${sha('3')} (from dev)`]);
    expect(await run('get', 'staging')).toEqual([sha('3')]);
    expect(await run('source', 'prod')).toEqual(['staging']);
    expect(await run('check-promotion', 'main')).toEqual([`staging -> ${sha('3')}: ran in dev before`]);
    await expect(run('promote', 'dev')).rejects.toThrow(/released by release.yml/);
    await expect(run('frobnicate')).rejects.toThrow(/usage: stage-image/);
  });
});
