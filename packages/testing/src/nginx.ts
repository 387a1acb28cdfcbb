import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { requireTool } from './tools.js';

/**
 * A configuration, given the private prefix folder (the test's stand-in for the container's writable
 * emptyDir), a free loopback port, and the generation: 0 at the start, one more at each reload.
 */
export type NginxConf = (prefix: string, port: number, generation: number) => string;

/**
 * A whole configuration for nginx as a proxy or stand-in, everything inside the prefix: its pid, its temp
 * folders, errors on stderr (`errorLog()`), no access log; `http` is the body of the http block.
 */
export function prefixedConf(prefix: string, workers: number, http: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (p) => `${p}_temp_path ${prefix}/${p};`,
  );
  return `
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${temp.join('\n  ')}
${http}
}
`;
}

export interface NginxProcessOptions {
  /** The configuration to run: the caller rewrites its production file with the prefix and port. */
  readonly conf: NginxConf;
  /** The site under `<prefix>/html`: a folder to link (a build), or files to write. @default none (a proxy) */
  readonly site?: { readonly link: string } | { readonly files: Readonly<Record<string, string>> };
  /** A path that answers 2xx once nginx serves. @default any answer on `/` */
  readonly readyPath?: string;
  /**
   * A path whose body is the configuration's generation. The start and each reload wait until it answers
   * the new one, that is until workers with the new configuration serve. @default none (no reload)
   */
  readonly generationPath?: string;
}

export interface NginxProcess {
  readonly url: string;
  readonly port: number;
  /** What nginx wrote to stdout (its access log) so far. */
  accessLog(): string;
  /** What nginx wrote to stderr (its error log) so far. */
  errorLog(): string;
  /**
   * Writes the next generation of the configuration and reloads gracefully (SIGHUP, as `nginx -s reload`):
   * old workers finish what they serve. Resolves once the new generation answers (needs `generationPath`).
   */
  reload(conf: NginxConf): Promise<void>;
  stop(): Promise<void>;
}

/** Runs real nginx in the foreground on a configuration of the caller's, until `stop` (SIGQUIT, as a pod). */
export async function startNginxProcess(options: NginxProcessOptions): Promise<NginxProcess> {
  const nginx = requireTool('nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'conduit-nginx-'));
  // As root, nginx workers run as nobody, who must reach the site through this folder.
  await chmod(prefix, 0o755);
  const html = join(prefix, 'html');
  const { site } = options;
  if (site && 'link' in site) await symlink(resolve(site.link), html);
  else if (site) {
    await mkdir(html);
    for (const [name, content] of Object.entries(site.files)) await writeFile(join(html, name), content);
  }
  const port = await freePort();
  const confPath = join(prefix, 'nginx.conf');
  let generation = 0;
  await writeFile(confPath, options.conf(prefix, port, generation));

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

  const { generationPath, readyPath } = options;
  // What "serving" means: the current generation where there is one, else the ready path.
  const serving = (): Promise<boolean> =>
    generationPath
      ? fetch(`${url}${generationPath}`).then(
          async (response) => (await response.text()) === String(generation),
          () => false,
        )
      : fetch(`${url}${readyPath ?? '/'}`).then(
          (response) => readyPath === undefined || response.ok,
          () => false,
        );
  const waitServing = async (what: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`nginx exited with ${child.exitCode}: ${read(stderrPath).trim()}`);
      if (await serving()) return;
      if (Date.now() > deadline)
        throw new Error(`nginx did not serve ${what} within 10 s: ${read(stderrPath).trim()}`);
      await new Promise((done) => setTimeout(done, 20));
    }
  };

  try {
    await waitServing(generationPath ? `generation 0 on ${generationPath}` : (readyPath ?? '/'));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    port,
    accessLog: () => read(stdoutPath),
    errorLog: () => read(stderrPath),
    async reload(conf) {
      if (!generationPath)
        throw new Error('reload needs a generationPath to know when the new workers serve');
      generation += 1;
      await writeFile(confPath, conf(prefix, port, generation));
      child.kill('SIGHUP');
      await waitServing(`generation ${generation} on ${generationPath}`);
    },
    stop,
  };
}
