import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CANARY_HEADER, STATIC_ASSETS } from '@conduit/platform';
import { freePort, requireTool } from '@conduit/testing';

/** What the router sends where: the Rollout's Services, weight and header route at one moment of a release. */
export interface Routing {
  /** `host:port` of the stable track's pods (never empty). */
  readonly stable: readonly string[];
  /** The canary track's pods; outside a release the canary Service selects the stable pods. */
  readonly canary: readonly string[];
  /** Percent of requests the canary gets (0 outside a release). */
  readonly canaryWeight: number;
  /** The managed header route: `X-Canary: always` goes to the canary (only while a release runs). */
  readonly headerRoute: boolean;
}

export interface EdgeStandIn {
  /** Where clients connect: the CloudFront stand-in. */
  readonly url: string;
  route(routing: Routing): Promise<void>;
  stop(): Promise<void>;
}

export interface EdgeOptions {
  /** The edge's second try for a static asset with the canary header on a 404 (EdgeStack's origin group). */
  readonly assetFailover: boolean;
}

const TEMP_PATHS = (prefix: string) =>
  ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((p) => `${p}_temp_path ${prefix}/${p};`)
    .join('\n  ');

/**
 * Two real nginx processes in the places of CloudFront and the ALB, so a drill sees what a viewer sees during a
 * web release. The router splits requests between the tracks by weight, request by request, and honours the
 * header route, as the ALB's weighted forward action and Argo Rollouts' managed route do; each change is a
 * graceful reload. The edge forwards everything to it and, for static assets, does what EdgeStack's origin
 * group does: on a 404 it asks again with the canary header. The edge never reloads, so the clients'
 * keep-alive connections live through every change of the routing.
 */
export async function startEdge(first: Routing, options: EdgeOptions): Promise<EdgeStandIn> {
  const nginx = requireTool('nginx');
  const dir = await mkdtemp(join(tmpdir(), 'conduit-edge-'));
  await chmod(dir, 0o755);
  const [routerPort, edgePort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  let generation = 0;

  const routerConf = (r: Routing) => {
    const servers = (list: readonly string[]) =>
      (list.length ? list : r.stable).map((s) => `server ${s} max_fails=0;`).join(' ');
    const split = r.canaryWeight > 0 ? `${r.canaryWeight}% canary; * stable;` : '* stable;';
    return `
worker_processes 1;
pid ${dir}/router/nginx.pid;
error_log ${dir}/router/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${TEMP_PATHS(`${dir}/router`)}
  upstream stable { ${servers(r.stable)} keepalive 32; }
  upstream canary { ${servers(r.canary)} keepalive 32; }
  split_clients "\${request_id}" $weighted { ${split} }
  map $http_${CANARY_HEADER.name.toLowerCase().replace(/-/g, '_')} $track {
    default $weighted;
    ${r.headerRoute ? `"${CANARY_HEADER.value}" canary;` : ''}
  }
  server {
    listen 127.0.0.1:${routerPort};
    location = /router-generation { return 200 "${generation}"; }
    location / {
      proxy_pass http://$track;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  };
  const edgeConf = `
worker_processes 1;
pid ${dir}/edge/nginx.pid;
error_log ${dir}/edge/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${TEMP_PATHS(`${dir}/edge`)}
  upstream router { server 127.0.0.1:${routerPort} max_fails=0; keepalive 32; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 127.0.0.1:${edgePort};
    keepalive_requests 100000;
    location / { proxy_pass http://router; }
    location ${STATIC_ASSETS.path} {
      proxy_pass http://router;
      ${options.assetFailover ? 'proxy_intercept_errors on;\n      error_page 404 = @canary;' : ''}
    }
    location @canary {
      proxy_set_header ${CANARY_HEADER.name} ${CANARY_HEADER.value};
      proxy_pass http://router;
    }
  }
}
`;
  const start = async (name: string, conf: string) => {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'nginx.conf'), conf);
    const child = spawn(
      nginx,
      ['-p', `${dir}/${name}/`, '-c', join(dir, name, 'nginx.conf'), '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    );
    children.push(child);
    return child;
  };
  const log = (name: string) => readFile(join(dir, name, 'error.log'), 'utf8').catch(() => '');
  const waitForGeneration = async (wanted: number) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const seen = await fetch(`http://127.0.0.1:${routerPort}/router-generation`).then(
        (r) => r.text(),
        () => '',
      );
      if (seen === String(wanted)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`the router did not serve routing ${wanted} within 10 s: ${await log('router')}`);
  };

  await start('router', routerConf(first));
  await start('edge', edgeConf);
  await waitForGeneration(0);
  return {
    url: `http://127.0.0.1:${edgePort}`,
    async route(routing) {
      generation += 1;
      await writeFile(join(dir, 'router', 'nginx.conf'), routerConf(routing));
      await promisify(execFile)(nginx, [
        '-p',
        `${dir}/router/`,
        '-c',
        join(dir, 'router', 'nginx.conf'),
        '-s',
        'reload',
      ]);
      await waitForGeneration(generation);
    },
    async stop() {
      for (const child of children) {
        if (child.exitCode !== null) continue;
        child.kill('SIGQUIT');
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
