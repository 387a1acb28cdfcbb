import { type NginxConf, prefixedConf, startNginxProcess } from '@conduit/testing';

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
  const render =
    (upstreams: readonly string[]): NginxConf =>
    (prefix, port, generation) =>
      prefixedConf(
        prefix,
        2,
        `  upstream api {
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
  }`,
      );
  const nginx = await startNginxProcess({ conf: render(servers), generationPath: '/lb-generation' });
  return {
    url: nginx.url,
    setUpstreams: (upstreams) => nginx.reload(render(upstreams)),
    errorLog: async () => nginx.errorLog(),
    stop: () => nginx.stop(),
  };
}
