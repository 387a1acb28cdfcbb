import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, requireTool } from '@conduit/testing';

export const NGINX_CONF = resolve(import.meta.dirname, '../nginx.conf');

export interface NginxServer {
  readonly url: string;
  readonly port: number;
  /** What nginx wrote to stdout (the JSON access log) so far. */
  accessLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** The built site (apps/web/dist). */
  root: string;
  /** Route /api/ to this upstream, as the load balancer does in production (Lighthouse runs). */
  apiUpstream?: string;
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from))
    throw new Error(`nginx.conf no longer contains "${from}"; update test/nginx-server.ts`);
  return text.split(from).join(to);
}

/**
 * Runs the production nginx.conf with real nginx as a foreground process. Only what a container gives for
 * free is rewritten: /tmp becomes a private directory, and the port is a free loopback one.
 */
export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  const nginx = requireTool('nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'conduit-nginx-'));
  // As root, nginx workers run as nobody, who must reach the site through this directory.
  await chmod(prefix, 0o755);
  await symlink(resolve(options.root), join(prefix, 'html'));
  const port = await freePort();
  let conf = await readFile(NGINX_CONF, 'utf8');
  conf = replaceOnce(conf, '/tmp/', `${prefix}/`);
  conf = replaceOnce(conf, 'listen 8080 default_server;', `listen 127.0.0.1:${port} default_server;`);
  if (options.apiUpstream) {
    const apiBlock = /location \/api\/ \{\n[\s\S]*?\n {4}\}/;
    if (!apiBlock.test(conf)) throw new Error('nginx.conf has no "location /api/ { ... }" block to route');
    conf = conf.replace(apiBlock, `location /api/ { proxy_pass ${options.apiUpstream}; }`);
  }
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, conf);

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
  const stderr = { trim: () => read(stderrPath).trim() };
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
      const message = stderr.trim();
      await stop();
      throw new Error(`nginx exited with ${child.exitCode}: ${message}`);
    }
    const ready = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      const message = stderr.trim();
      await stop();
      throw new Error(`nginx did not answer /healthz within 10 s: ${message}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { url, port, accessLog: () => read(stdoutPath), stop };
}
