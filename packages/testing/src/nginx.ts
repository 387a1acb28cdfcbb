import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { requireTool } from './tools.js';

export interface NginxProcessOptions {
  /**
   * The configuration to run, given the private prefix folder (the test's stand-in for the container's
   * writable emptyDir) and a free loopback port: the caller rewrites its production file with them.
   */
  readonly conf: (prefix: string, port: number) => string;
  /** The site under `<prefix>/html`: a folder to link (a build), or files to write. */
  readonly site: { readonly link: string } | { readonly files: Readonly<Record<string, string>> };
  /** A path that answers 2xx once nginx serves. @default any answer on `/` */
  readonly readyPath?: string;
}

export interface NginxProcess {
  readonly url: string;
  readonly port: number;
  /** What nginx wrote to stdout (its access log) so far. */
  accessLog(): string;
  /** What nginx wrote to stderr (its error log) so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Runs real nginx in the foreground on a configuration of the caller's, until `stop` (SIGQUIT, as a pod). */
export async function startNginxProcess(options: NginxProcessOptions): Promise<NginxProcess> {
  const nginx = requireTool('nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'conduit-nginx-'));
  // As root, nginx workers run as nobody, who must reach the site through this folder.
  await chmod(prefix, 0o755);
  const html = join(prefix, 'html');
  if ('link' in options.site) await symlink(resolve(options.site.link), html);
  else {
    await mkdir(html);
    for (const [name, content] of Object.entries(options.site.files))
      await writeFile(join(html, name), content);
  }
  const port = await freePort();
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, options.conf(prefix, port));

  // nginx opens /dev/stdout for its access log, which fails on the sockets Node uses for pipes (ENXIO);
  // files behave like a container's log pipe.
  const stdoutPath = join(prefix, 'stdout.log');
  const stderrPath = join(prefix, 'stderr.log');
  const outFd = openSync(stdoutPath, 'w');
  const errFd = openSync(stderrPath, 'w');
  const child: ChildProcess = spawn(nginx, ['-p', `${prefix}/`, '-c', confPath, '-g', 'daemon off;'], {
    stdio: ['ignore', outFd, errFd],
  });
  closeSync(outFd);
  closeSync(errFd);
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGQUIT');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(prefix, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = read(stderrPath).trim();
      await stop();
      throw new Error(`nginx exited with ${child.exitCode}: ${message}`);
    }
    const ready = await fetch(`${url}${options.readyPath ?? '/'}`).then(
      (response) => options.readyPath === undefined || response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      const message = read(stderrPath).trim();
      await stop();
      throw new Error(`nginx did not answer ${options.readyPath ?? '/'} within 10 s: ${message}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { url, port, accessLog: () => read(stdoutPath), errorLog: () => read(stderrPath), stop };
}
