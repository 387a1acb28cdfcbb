import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

export interface WorkflowJob {
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly uses?: string;
  readonly environment?: string | { readonly name: string };
  readonly permissions?: Record<string, string> | string;
  readonly container?: unknown;
  readonly steps?: readonly WorkflowStep[];
  readonly with?: Record<string, unknown>;
}

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly name?: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: unknown;
  readonly jobs: Record<string, WorkflowJob>;
}

export const WORKFLOWS_DIR = '.github/workflows';

/** Every workflow file of the repository, parsed; `on` is normalised to an object. */
export async function loadWorkflows(root: string): Promise<Workflow[]> {
  const dir = join(root, WORKFLOWS_DIR);
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dir, file), 'utf8');
      const data = parse(text) as Omit<Workflow, 'file' | 'text'> & { on: unknown };
      const on =
        typeof data.on === 'string'
          ? { [data.on]: null }
          : Array.isArray(data.on)
            ? Object.fromEntries(data.on.map((event: string) => [event, null]))
            : (data.on as Record<string, unknown>);
      return { ...data, on, file, text };
    }),
  );
}

export function needsOf(job: WorkflowJob): string[] {
  if (job.needs === undefined) return [];
  return typeof job.needs === 'string' ? [job.needs] : [...job.needs];
}

/** Every job `name` depends on, directly or through other jobs. */
export function ancestors(workflow: Workflow, name: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...needsOf(workflow.jobs[name] ?? {})];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...needsOf(workflow.jobs[next] ?? {}));
  }
  return seen;
}

/** Every `uses:` of a workflow (job-level reusable workflows and step actions), with its job. */
export function usesOf(workflow: Workflow): { job: string; uses: string }[] {
  return Object.entries(workflow.jobs).flatMap(([job, definition]) => [
    ...(definition.uses ? [{ job, uses: definition.uses }] : []),
    ...(definition.steps ?? []).filter((step) => step.uses).map((step) => ({ job, uses: step.uses! })),
  ]);
}

/** The `run:` scripts of a workflow with where they are. */
export function runsOf(workflow: Workflow): { job: string; step: string; run: string; shell?: string }[] {
  return Object.entries(workflow.jobs).flatMap(([job, definition]) =>
    (definition.steps ?? [])
      .map((step, index) => ({ step, index }))
      .filter(({ step }) => typeof step.run === 'string')
      .map(({ step, index }) => ({
        job,
        step: step.name ?? step.id ?? `#${index + 1}`,
        run: step.run!,
        ...(step.shell ? { shell: step.shell } : {}),
      })),
  );
}

export function permissionsOf(job: WorkflowJob): Record<string, string> {
  return typeof job.permissions === 'object' ? job.permissions : {};
}
