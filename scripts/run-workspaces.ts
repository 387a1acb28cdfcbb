// `npm run typecheck` and `npm test`: npm scripts of every workspace that has them, in one queue run as
// many at a time as the machine has cores. Most suites wait on something (PostgreSQL, nginx, Chromium,
// podman, the network) for much of their run, so two side by side on a 2-core runner finish in little more
// than the longer one's time; one after another, CI took 17 minutes. Output is grouped per command, printed
// in queue order, and a table of every command's time ends the run.
//
// `run-workspaces.ts typecheck test` queues, in this order: the suites that start first, every type-check,
// then the other suites; the type-checks thus run beside the longest suite instead of before it. A
// workspace's package.json says how its suite is scheduled (`"conduit": { "suite": ... }`):
// - `"startsFirst": true`: the longest suites start before the rest, which fill the other lanes;
// - `"runsAlone": true`: measuring suites (the drills judge latency beside a neighbour they control) run
//   after all the others, by themselves, so no other suite becomes a second, unbounded neighbour. They do
//   not run when anything before them failed;
// - `"measuring": [<test file>...]`: the same for some files of a suite that otherwise shares the machine
//   (e2e/images' release drills on containers): its lane runs without them, and each runs by itself, in the
//   listed order, after the other suites, before the drills.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concurrently } from 'concurrently';

interface Workspace {
  readonly name: string;
  readonly scripts?: Readonly<Record<string, string>>;
  readonly conduit?: {
    readonly suite?: {
      readonly startsFirst?: boolean;
      readonly runsAlone?: boolean;
      readonly measuring?: readonly string[];
    };
  };
}

interface Command {
  readonly name: string;
  readonly command: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));

function fail(message: string): never {
  console.error(`run-workspaces: ${message}`);
  process.exit(1);
}

const scripts = process.argv.slice(2);
if (scripts.length === 0) fail('usage: run-workspaces.ts <npm script>..., e.g. typecheck test');

/** The root package.json's workspaces (`<folder>/*` patterns), in npm's order: pattern, then folder name. */
function workspaces(): Workspace[] {
  const patterns = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces;
  return patterns.flatMap((pattern) => {
    const folder = /^([\w-]+)\/\*$/.exec(pattern)?.[1];
    if (!folder) fail(`workspace pattern "${pattern}" is not of the form <folder>/*`);
    return readdirSync(join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .flatMap((name) => {
        try {
          return [JSON.parse(readFileSync(join(root, folder, name, 'package.json'), 'utf8')) as Workspace];
        } catch {
          return []; // a folder without a package.json is no workspace, as for npm
        }
      });
  });
}

const all = workspaces();
const short = (workspace: Workspace) => workspace.name.replace(/^@conduit\//, '');
const measuringFiles = (workspace: Workspace) => workspace.conduit?.suite?.measuring ?? [];
// A suite's lane leaves out its measuring files (vitest's --exclude); they are queued by themselves below.
const commands = (script: string, which: (workspace: Workspace) => boolean): Command[] =>
  all
    .filter((workspace) => workspace.scripts?.[script] && which(workspace))
    .map((workspace) => {
      const excluded = script === 'test' ? measuringFiles(workspace) : [];
      return {
        name: `${short(workspace)}${script === 'test' ? '' : ` ${script}`}`,
        command: `npm run ${script} --workspace ${workspace.name}${excluded.length ? ` -- ${excluded.map((f) => `--exclude ${f}`).join(' ')}` : ''}`,
      };
    });
for (const script of scripts)
  if (commands(script, () => true).length === 0) fail(`no workspace has a "${script}" script`);

// Scheduling applies to the suites only; any other script (a type-check) runs anywhere in the queue.
const suite = (workspace: Workspace) => workspace.conduit?.suite ?? {};
const tests = scripts.includes('test');
const others = scripts.filter((script) => script !== 'test');
const queue = [
  ...(tests ? commands('test', (w) => !!suite(w).startsFirst && !suite(w).runsAlone) : []),
  ...others.flatMap((script) => commands(script, () => true)),
  ...(tests ? commands('test', (w) => !suite(w).startsFirst && !suite(w).runsAlone) : []),
];
// Each measuring file is its own run, in the listed order (in one run vitest would order them by size), so
// one drill's containers, images and load never share a run with another's.
const measuring: Command[] = tests
  ? all
      .filter((w) => w.scripts?.test)
      .flatMap((w) =>
        measuringFiles(w).map((file) => ({
          name: `${short(w)} ${file}`,
          command: `npm run test --workspace ${w.name} -- ${file}`,
        })),
      )
  : [];
const alone = [...measuring, ...(tests ? commands('test', (w) => !!suite(w).runsAlone) : [])];

async function run(batch: readonly Command[], maxProcesses: number): Promise<boolean> {
  if (batch.length === 0) return true;
  console.log(`\nrun-workspaces: ${batch.map((c) => c.name).join(', ')} (${maxProcesses} at a time)`);
  return concurrently([...batch], { group: true, prefix: 'name', timings: true, maxProcesses }).result.then(
    () => true,
    () => false,
  );
}

if (!(await run(queue, availableParallelism()))) {
  const skipped = alone.map((c) => c.name);
  fail(`a command failed (above)${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}`);
}
if (!(await run(alone, 1))) fail('a command failed (above)');
