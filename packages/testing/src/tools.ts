import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Every machine tool a suite runs, with the Debian package that provides it: the one list that the root
 * `pretest` step installs from and that `requireTool` names in its error. Adding a tool to a suite means
 * adding it here, so a fresh machine gets it from `npm test` itself.
 */
export const SYSTEM_TOOLS = {
  nginx: 'nginx',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  chromium: 'chromium',
  shellcheck: 'shellcheck',
  // The image suite builds and runs the real Dockerfiles: podman on runc, slirp4netns per container,
  // catatonit as the init of the pause image `podman kube play` builds for each pod (podman only recommends
  // it, so an install without recommends lacks it), and debootstrap for the stand-in base roots.
  podman: 'podman',
  runc: 'runc',
  slirp4netns: 'slirp4netns',
  catatonit: 'catatonit',
  debootstrap: 'debootstrap',
  // Debian's PostgreSQL 15: the ops suites dump and restore with tools whose major matches the server.
  '/usr/lib/postgresql/15/bin/initdb': 'postgresql-15',
  '/usr/lib/postgresql/15/bin/pg_ctl': 'postgresql-15',
  '/usr/lib/postgresql/15/bin/postgres': 'postgresql-15',
  '/usr/lib/postgresql/15/bin/pg_dump': 'postgresql-client-15',
  '/usr/lib/postgresql/15/bin/pg_restore': 'postgresql-client-15',
} as const satisfies Record<string, string>;

export type SystemTool = keyof typeof SYSTEM_TOOLS;

/**
 * Debian's Chromium, headless, as the browser suites launch it (playwright-core `launch({ args })`): no
 * sandbox (containers and root), no GPU, and nothing that reaches out to the network on its own.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** The command that installs `packages` on this machine's kind (Debian). */
export function installCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${[...new Set(packages)].join(' ')}`;
}

/** The absolute path of `command` (a name looked up in PATH, or an absolute path), or undefined. */
export function findTool(command: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(command) ? [command] : path.split(delimiter).map((dir) => join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Returns the absolute path of a command-line tool the tests need. A missing tool fails the suite rather
 * than skipping it, locally and in CI alike, in one line naming the tool and the command that installs it,
 * so a half-provisioned machine can never report green. Call it before starting anything slow, so the
 * failure comes within seconds.
 */
export function requireTool(command: SystemTool): string {
  const found = findTool(command);
  if (found) return found;
  throw new Error(
    `required tool "${command}" is not installed: run \`${installCommand([SYSTEM_TOOLS[command]])}\` (or \`npm test\`, which installs it)`,
  );
}

/** `requireTool` for several tools at once, reporting every missing one in the same line. */
export function requireTools(commands: readonly SystemTool[]): void {
  const missing = commands.filter((command) => !findTool(command));
  if (missing.length === 0) return;
  throw new Error(
    `required tools not installed: ${missing.join(', ')}; run \`${installCommand(missing.map((c) => SYSTEM_TOOLS[c]))}\` (or \`npm test\`, which installs them)`,
  );
}
