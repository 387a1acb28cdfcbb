import { CANARY_HEADER, STATIC_ASSETS } from '@conduit/platform';
import { type NginxConf, prefixedConf, startNginxProcess } from '@conduit/testing';

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

// Both keep their upstream connections alive, as CloudFront's and the ALB's are.
const UPSTREAM_KEEPALIVE = 'proxy_http_version 1.1;\n  proxy_set_header Connection "";';

/**
 * Two real nginx processes in the places of CloudFront and the ALB, so a drill sees what a viewer sees during a
 * web release. The router splits requests between the tracks by weight, request by request, and honours the
 * header route, as the ALB's weighted forward action and Argo Rollouts' managed route do; each change is a
 * graceful reload. The edge forwards everything to it and, for static assets, does what EdgeStack's origin
 * group does: on a 404 it asks again with the canary header. The edge never reloads, so the clients'
 * keep-alive connections live through every change of the routing.
 */
export async function startEdge(first: Routing, options: EdgeOptions): Promise<EdgeStandIn> {
  const routerConf =
    (r: Routing): NginxConf =>
    (prefix, port, generation) => {
      const servers = (list: readonly string[]) =>
        (list.length ? list : r.stable).map((s) => `server ${s} max_fails=0;`).join(' ');
      const split = r.canaryWeight > 0 ? `${r.canaryWeight}% canary; * stable;` : '* stable;';
      return prefixedConf(
        prefix,
        1,
        `  ${UPSTREAM_KEEPALIVE}
  upstream stable { ${servers(r.stable)} keepalive 32; }
  upstream canary { ${servers(r.canary)} keepalive 32; }
  split_clients "\${request_id}" $weighted { ${split} }
  map $http_${CANARY_HEADER.name.toLowerCase().replace(/-/g, '_')} $track {
    default $weighted;
    ${r.headerRoute ? `"${CANARY_HEADER.value}" canary;` : ''}
  }
  server {
    listen 127.0.0.1:${port};
    location = /router-generation { return 200 "${generation}"; }
    location / { proxy_pass http://$track; }
  }`,
      );
    };
  const router = await startNginxProcess({ conf: routerConf(first), generationPath: '/router-generation' });
  try {
    const edge = await startNginxProcess({
      readyPath: '/edge-ready',
      conf: (prefix, port) =>
        prefixedConf(
          prefix,
          1,
          `  ${UPSTREAM_KEEPALIVE}
  upstream router { server 127.0.0.1:${router.port} max_fails=0; keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location = /edge-ready { return 204; }
    location / { proxy_pass http://router; }
    location ${STATIC_ASSETS.path} {
      proxy_pass http://router;
      ${options.assetFailover ? 'proxy_intercept_errors on;\n      error_page 404 = @canary;' : ''}
    }
    location @canary {
      # A proxy_set_header here replaces the inherited ones: the keep-alive one is repeated.
      proxy_set_header Connection "";
      proxy_set_header ${CANARY_HEADER.name} ${CANARY_HEADER.value};
      proxy_pass http://router;
    }
  }`,
        ),
    });
    return {
      url: edge.url,
      route: (routing) => router.reload(routerConf(routing)),
      async stop() {
        await edge.stop();
        await router.stop();
      },
    };
  } catch (error) {
    await router.stop();
    throw error;
  }
}
