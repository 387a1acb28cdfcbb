import { readFileSync } from 'node:fs';
import { startNginxProcess } from '@conduit/testing';
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
 * port a free loopback one. Ready once the socket answers anything: which paths answer what is what the
 * tests find out.
 */
export async function startWebServer(): Promise<WebServer> {
  const original = readFileSync(NGINX_CONF, 'utf8');
  const [listen] = listenPorts(original);
  if (listen === undefined) throw new Error('nginx.conf has no listen directive');
  return startNginxProcess({
    site: { files: { 'index.html': STUB_INDEX } },
    conf: (prefix, port) =>
      original
        .split('/tmp/')
        .join(`${prefix}/`)
        .replace(new RegExp(`listen\\s+${listen}\\b`), `listen 127.0.0.1:${port}`),
  });
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
