import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import { type BuildStage, readDockerfile, type Step } from './dockerfile.js';

const run = promisify(execFile);

/** The final stage of a Dockerfile, laid out on disk the way the image would hold it (base image aside). */
export interface AssembledImage {
  /** Host folder standing for the image's root filesystem (only what the Dockerfile copies into it). */
  readonly root: string;
  /** Host folder of the final WORKDIR. */
  readonly workdir: string;
  /** ENTRYPOINT + CMD, exec form, as written in the Dockerfile. */
  readonly command: readonly string[];
  readonly healthcheck: readonly string[];
  /** ENV of the final stage with ARG values substituted. */
  readonly env: Readonly<Record<string, string>>;
  readonly bytes: number;
  readonly files: number;
  /** Deletes every folder the rehearsal made. */
  dispose(): Promise<void>;
}

export interface AssembleOptions {
  readonly repoRoot: string;
  /** Dockerfile path relative to the repository root (the build context). */
  readonly dockerfile: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
}

interface Materialized {
  /** Maps an absolute path inside the stage to a host path. */
  toHost(path: string): string;
}

const isContextStage = (stage: BuildStage) =>
  stage.steps.some((step) => step.keyword === 'COPY' && !step.from && step.text === '. .');

function workdirAt(stage: BuildStage, step: Step): string {
  let dir = '/';
  for (const candidate of stage.steps) {
    if (candidate === step) break;
    if (candidate.keyword === 'WORKDIR') dir = posix.resolve(dir, candidate.text);
  }
  return dir;
}

async function sh(command: string, cwd: string, log: (line: string) => void): Promise<void> {
  log(`$ (${cwd}) ${command}`);
  try {
    await run('sh', ['-c', command], { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`"${command}" failed in ${cwd}:\n${`${stdout}\n${stderr}`.trim().slice(-4000)}`);
  }
}

/** Docker's COPY: a directory's contents land in the destination, files land at or inside it. */
async function copyInto(source: string, destination: string, intoDirectory: boolean): Promise<void> {
  const info = await lstat(source).catch(() => {
    throw new Error(`COPY source ${source} does not exist (did the stage that makes it run?)`);
  });
  const target = info.isDirectory() || !intoDirectory ? destination : join(destination, basename(source));
  await mkdir(info.isDirectory() ? target : dirname(target), { recursive: true });
  await cp(source, target, { recursive: true, verbatimSymlinks: true });
}

async function sizeOf(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isDirectory()) continue;
    bytes += (await lstat(join(entry.parentPath, entry.name))).size;
    files += 1;
  }
  return { bytes, files };
}

/**
 * Rehearses an image build without Docker: the stages the final stage copies from are materialised, and the
 * final stage's COPY lines assemble its file set in a temporary folder.
 * - A stage that copies the whole context (`COPY . .`) is the checked-out repository itself: its `npm ci` is
 *   the repository's own install from the same lockfile, and its other commands (the build) run there.
 * - Any other stage gets an empty folder for a root filesystem; its COPY lines copy from the repository and
 *   its RUN lines run for real (`npm ci --omit=dev …`) in its WORKDIR.
 */
export async function assembleImage(options: AssembleOptions): Promise<AssembledImage> {
  const log = options.log ?? (() => {});
  const { stages, final } = await readDockerfile(join(options.repoRoot, options.dockerfile));
  const materialized = new Map<string, Materialized>();
  const scratch = await mkdtemp(join(tmpdir(), 'conduit-image-'));

  async function replay(stage: BuildStage, hostRoot: string): Promise<void> {
    for (const step of stage.steps) {
      const workdir = workdirAt(stage, step);
      if (step.keyword === 'WORKDIR')
        await mkdir(join(hostRoot, posix.resolve(workdir, step.text)), { recursive: true });
      if (step.keyword === 'RUN') {
        await mkdir(join(hostRoot, workdir), { recursive: true });
        await sh(step.text, join(hostRoot, workdir), log);
      }
      if (step.keyword === 'COPY') {
        const parts = step.text.split(' ').filter((part) => !part.startsWith('--'));
        const destination = parts.pop()!;
        const hostDestination = join(hostRoot, posix.resolve(workdir, destination));
        const intoDirectory = destination.endsWith('/') || parts.length > 1;
        const from = step.from ? await materialize(step.from) : null;
        for (const source of parts) {
          const hostSource = from ? from.toHost(source) : join(options.repoRoot, source);
          await copyInto(hostSource, hostDestination, intoDirectory);
        }
      }
    }
  }

  async function materialize(name: string): Promise<Materialized> {
    const known = materialized.get(name);
    if (known) return known;
    const stage = stages.find((candidate) => candidate.name === name);
    if (!stage) throw new Error(`COPY --from=${name}: no such stage`);
    let result: Materialized;
    if (isContextStage(stage)) {
      const copy = stage.steps.find((step) => step.keyword === 'COPY' && step.text === '. .')!;
      const contextDir = workdirAt(stage, copy);
      for (const step of stage.steps.filter((candidate) => candidate.keyword === 'RUN')) {
        const commands = step.text
          .split('&&')
          .map((part) => part.trim())
          .filter((part) => !/^npm (ci|clean-install)\b/.test(part));
        if (commands.length > 0) await sh(commands.join(' && '), options.repoRoot, log);
      }
      result = {
        toHost: (path) => {
          const inside = posix.relative(contextDir, path);
          if (inside.startsWith('..') || isAbsolute(inside))
            throw new Error(`${path} is outside ${contextDir} of stage ${name}`);
          return join(options.repoRoot, inside);
        },
      };
    } else {
      const hostRoot = join(scratch, name);
      await mkdir(hostRoot, { recursive: true });
      await replay(stage, hostRoot);
      result = { toHost: (path) => join(hostRoot, posix.resolve('/', path)) };
    }
    materialized.set(name, result);
    return result;
  }

  const root = join(scratch, 'image');
  await mkdir(root, { recursive: true });
  await replay(final, root);

  const args: Record<string, string> = {};
  for (const step of final.steps.filter((candidate) => candidate.keyword === 'ARG')) {
    const [name, value = ''] = step.text.split('=', 2) as [string, string?];
    args[name] = options.buildArgs?.[name] ?? value;
  }
  const env: Record<string, string> = {};
  for (const step of final.steps.filter((candidate) => candidate.keyword === 'ENV')) {
    for (const token of step.text.split(' ')) {
      const [name, value = ''] = token.split(/=(.*)/s, 2) as [string, string?];
      env[name] = value
        .replace(/^"|"$/g, '')
        .replace(
          /\$\{(\w+)\}|\$(\w+)/g,
          (_m, a?: string, b?: string) => args[(a ?? b)!] ?? env[(a ?? b)!] ?? '',
        );
    }
  }
  const entrypoint = final.steps.filter((step) => step.keyword === 'ENTRYPOINT').at(-1)?.exec ?? [];
  const cmd = final.steps.filter((step) => step.keyword === 'CMD').at(-1)?.exec ?? [];
  const healthcheck = final.steps.filter((step) => step.keyword === 'HEALTHCHECK').at(-1)?.exec ?? [];
  const lastWorkdir = final.steps.filter((step) => step.keyword === 'WORKDIR').at(-1);
  const workdir = join(
    root,
    lastWorkdir ? posix.resolve(workdirAt(final, lastWorkdir), lastWorkdir.text) : '/',
  );
  const { bytes, files } = await sizeOf(root);
  log(`assembled ${files} files, ${bytes} bytes in ${relative(tmpdir(), root)}`);
  return {
    root,
    workdir,
    command: [...entrypoint, ...cmd],
    healthcheck,
    env,
    bytes,
    files,
    dispose: () => rm(scratch, { recursive: true, force: true }),
  };
}
