import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requireTool } from '@conduit/testing';
import { NGINX_CONF } from './artifacts.js';
import type { ProbeRequest } from './request-path.js';

/** The app shell the stub site serves: a probe answered with it came from the SPA fallback. */
export const STUB_INDEX = '<!doctype html><title>conduit system check: the SPA shell</title>\n';

/** The ports the production nginx.conf listens on, as the pods run it. */
export function listenPorts(conf: string = readFileSync(NGINX_CONF, 'utf8')): number[] {
  return [...conf.matchAll(/^\s*listen\s+(?:[\d.]+:)?(\d+)\b[^;]*;/gm)].map((m) => Number(m[1]));
}

/** Probes and health checks that name a port the production nginx.conf does not listen on. */
export function probePortFindings(requests: readonly ProbeRequest[], listening: readonly number[]): string[] {
  return requests
    .filter((r) => !listening.includes(r.port))
    .map((r) => `${r.source} ${r.path}: port ${r.port}, but nginx.conf listens on ${listening.join(', ')}`);
}

export interface WebServer {
  /** Base URL of the server on a free loopback port, standing in for `containerPort`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Runs the real nginx with the production nginx.conf and a stub site (an index.html only). Only what the
 * container gives for free is rewritten: /tmp (an emptyDir there) becomes a private folder, and the listen
 * port a free loopback one.
 */
export async function startWebServer(): Promise<WebServer> {
  const nginx = requireTool('nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'conduit-system-nginx-'));
  // As root, nginx workers run as nobody, who must reach the site through this folder.
  await chmod(prefix, 0o755);
  await mkdir(join(prefix, 'html'));
  await writeFile(join(prefix, 'html', 'index.html'), STUB_INDEX);
  const port = await freePort();
  const original = readFileSync(NGINX_CONF, 'utf8');
  const [listen] = listenPorts(original);
  if (listen === undefined) throw new Error('nginx.conf has no listen directive');
  const conf = original
    .split('/tmp/')
    .join(`${prefix}/`)
    .replace(new RegExp(`listen\\s+${listen}\\b`), `listen 127.0.0.1:${port}`);
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, conf);
  // nginx opens /dev/stdout for its access log, which fails on the sockets Node uses for pipes.
  const out = openSync(join(prefix, 'out.log'), 'w');
  const child: ChildProcess = spawn(nginx, ['-p', `${prefix}/`, '-c', confPath, '-g', 'daemon off;'], {
    stdio: ['ignore', out, out],
  });
  closeSync(out);
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
  // Ready once the socket answers anything: which paths answer what is what the tests find out.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = readFileSync(join(prefix, 'out.log'), 'utf8');
      await stop();
      throw new Error(`nginx exited with ${child.exitCode}: ${log}`);
    }
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('nginx did not accept connections within 10 s');
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { url, stop };
}

/** Why an answer is not nginx's own answer to a probe (empty when it is). */
export async function probeAnswerProblem(response: Response): Promise<string | undefined> {
  const body = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200) return `answered ${response.status}`;
  if (body === STUB_INDEX || type.startsWith('text/html')) {
    return 'answered with the SPA shell (index.html): the try_files fallback, not an nginx location';
  }
  return undefined;
}
