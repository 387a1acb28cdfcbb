import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '@conduit/testing';
import { stringify } from 'yaml';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr together, for assertions and failure messages. */
  readonly output: string;
}

/** Runs a real command-line tool with a time bound and returns its exit code and combined output. */
export function run(
  file: string,
  args: readonly string[],
  cwd?: string,
  timeoutMs = 20_000,
): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, output: `${stdout}${stderr}` });
    });
  });
}

export const promtool = (): string => requireTool('promtool');
export const amtool = (): string => requireTool('amtool');
export const alertmanager = (): string => requireTool('prometheus-alertmanager');

/** A temporary directory holding YAML files for one tool run, removed by `dispose`. */
export async function tempDir(prefix: string) {
  const dir = await mkdtemp(join(tmpdir(), `conduit-obs-${prefix}-`));
  return {
    dir,
    async yaml(name: string, content: unknown): Promise<string> {
      const path = join(dir, name);
      await writeFile(path, stringify(content, { lineWidth: 0 }));
      return path;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
