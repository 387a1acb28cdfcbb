import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, requireTool } from '@conduit/testing';

/**
 * How long nginx stops sending to an instance after one failed connection (passive health check), the
 * stand-in for the ALB taking an unhealthy target out.
 */
export const FAIL_TIMEOUT_S = 5;

export interface Balancer {
  readonly url: string;
  /** Replaces the upstream servers (`host:port`) with a graceful reload; resolves once new workers serve. */
  setUpstreams(servers: readonly string[]): Promise<void>;
  /** nginx's error log so far (upstream failures and retries are logged there). */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The drills' load balancer: real nginx with an upstream of API instances. Passive health checks
 * (`max_fails`/`fail_timeout`) and `proxy_next_upstream` on connection errors and timeouts, which nginx
 * applies to idempotent requests only (a POST already sent is never replayed on another instance). The
 * upstream keep-alive timeout stays below the API's (Fastify: 72 s), as the ALB's idle timeout (60 s) does.
 */
export async function startBalancer(servers: readonly string[]): Promise<Balancer> {
  const nginx = requireTool('nginx');
  const prefix = await mkdtemp(join(tmpdir(), 'conduit-drill-lb-'));
  await chmod(prefix, 0o755);
  const port = await freePort();
  const confPath = join(prefix, 'nginx.conf');
  let generation = 0;

  const render = (upstreams: readonly string[]) => `
worker_processes 2;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream api {
${upstreams.map((s) => `    server ${s} max_fails=1 fail_timeout=${FAIL_TIMEOUT_S}s;`).join('\n')}
    keepalive 64;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_timeout 65s;
    location = /lb-generation { return 200 "${generation}"; }
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 1s;
      proxy_read_timeout 15s;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
    }
  }
}
`;
  await writeFile(confPath, render(servers));
  const child: ChildProcess = spawn(nginx, ['-p', `${prefix}/`, '-c', confPath, '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const errorLog = () => readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');

  const waitForGeneration = async (wanted: number) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`nginx exited with ${child.exitCode}: ${await errorLog()}`);
      const seen = await fetch(`${url}/lb-generation`).then(
        (r) => r.text(),
        () => '',
      );
      if (seen === String(wanted)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`nginx did not serve configuration ${wanted} within 10 s: ${await errorLog()}`);
  };

  await waitForGeneration(0);
  return {
    url,
    async setUpstreams(upstreams) {
      generation += 1;
      await writeFile(confPath, render(upstreams));
      await promisify(execFile)(nginx, ['-p', `${prefix}/`, '-c', confPath, '-s', 'reload']);
      await waitForGeneration(generation);
    },
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
