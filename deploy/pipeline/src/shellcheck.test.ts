import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellcheck, shellcheckScripts } from './linters.js';
import { repoRoot } from './paths.js';

/** Shell scripts of the repository: `*.sh`, and extension-less files whose shebang names a shell. */
async function shellScripts(): Promise<string[]> {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\n')
    .filter(Boolean);
  const scripts: string[] = [];
  for (const file of files) {
    if (/\.(sh|bash)$/.test(file)) scripts.push(file);
    else if (!/\.[^/]+$/.test(file)) {
      const head = await readFile(join(repoRoot, file), 'utf8').catch(() => '');
      if (/^#!.*\b(ba|da)?sh\b/.test(head.split('\n', 1)[0] ?? '')) scripts.push(file);
    }
  }
  return scripts;
}

describe('shellcheck', () => {
  it('passes on every shell script of the repository (.ci/run included)', async () => {
    const scripts = await shellScripts();
    expect(scripts).toEqual(
      expect.arrayContaining([
        '.ci/run',
        'deploy/pipeline/scripts/wait-for-rollout.sh',
        'deploy/pipeline/scripts/wait-for-workloads.sh',
      ]),
    );
    const result = await shellcheck(scripts.map((file) => join(repoRoot, file)));
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('fails on a script with a real bug (unquoted expansion)', async () => {
    const result = await shellcheckScripts([{ label: 'bad', run: 'rm -rf $dir/*\n' }]);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/SC2086|SC2115/);
  });
});
