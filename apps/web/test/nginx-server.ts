import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startNginxProcess } from '@conduit/testing';

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
  const original = await readFile(NGINX_CONF, 'utf8');
  return startNginxProcess({
    site: { link: options.root },
    readyPath: '/healthz',
    conf: (prefix, port) => {
      let conf = replaceOnce(original, '/tmp/', `${prefix}/`);
      conf = replaceOnce(conf, 'listen 8080 default_server;', `listen 127.0.0.1:${port} default_server;`);
      if (options.apiUpstream) {
        const apiBlock = /location \/api\/ \{\n[\s\S]*?\n {4}\}/;
        if (!apiBlock.test(conf))
          throw new Error('nginx.conf has no "location /api/ { ... }" block to route');
        conf = conf.replace(apiBlock, `location /api/ { proxy_pass ${options.apiUpstream}; }`);
      }
      return conf;
    },
  });
}
