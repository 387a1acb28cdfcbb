// `npm run typecheck` and `npm test`: one npm script of every workspace that has it, as many at a time as
// the machine has cores. Most suites wait on something (PostgreSQL, nginx, Chromium, podman, the network)
// for much of their run, so two side by side on a 2-core runner finish in little more than the longer one's
// time; one after another, CI took 17 minutes. Output is grouped per workspace, printed when it ends.
//
// A workspace's package.json may say how its suite is scheduled (`"conduit": { "suite": ... }`):
// - `"startsFirst": true`: the longest suites start before the rest, which fill the other lanes;
// - `"runsAlone": true`: measuring suites (the drills judge latency beside a neighbour they control) run
//   after all the others, by themselves, so no other suite becomes a second, unbounded neighbour.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concurrently } from 'concurrently';

interface Workspace {
  readonly name: string;
  readonly scripts?: Readonly<Record<string, string>>;
  readonly conduit?: { readonly suite?: { readonly startsFirst?: boolean; readonly runsAlone?: boolean } };
}

const root = fileURLToPath(new URL('..', import.meta.url));

function fail(message: string): never {
  console.error(`run-workspaces: ${message}`);
  process.exit(1);
}

const script = process.argv[2];
if (!script || process.argv.length > 3) fail('usage: run-workspaces.ts <npm script>, e.g. test');

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

const withScript = workspaces().filter((workspace) => workspace.scripts?.[script]);
if (withScript.length === 0) fail(`no workspace has a "${script}" script`);
const suite = (workspace: Workspace) => (script === 'test' ? workspace.conduit?.suite : undefined);
interface Command {
  readonly name: string;
  readonly command: string;
}
const command = (workspace: Workspace): Command => ({
  name: workspace.name.replace(/^@conduit\//, ''),
  command: `npm run ${script} --workspace ${workspace.name}`,
});
const together = [
  ...withScript.filter((w) => suite(w)?.startsFirst && !suite(w)?.runsAlone),
  ...withScript.filter((w) => !suite(w)?.startsFirst && !suite(w)?.runsAlone),
].map(command);
const alone = withScript.filter((w) => suite(w)?.runsAlone).map(command);

const lanes = availableParallelism();
const options = { group: true, prefix: 'name', timings: true } as const;

async function run(commands: readonly Command[], maxProcesses: number): Promise<boolean> {
  if (commands.length === 0) return true;
  console.log(
    `\nrun-workspaces: npm run ${script} in ${commands.map((c) => c.name).join(', ')} (${maxProcesses} at a time)`,
  );
  return concurrently([...commands], { ...options, maxProcesses }).result.then(
    () => true,
    () => false,
  );
}

if (!(await run(together, lanes))) {
  const skipped = alone.map((c) => c.name);
  fail(`a workspace's "${script}" failed (above)${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}`);
}
if (!(await run(alone, 1))) fail(`a workspace's "${script}" failed (above)`);
