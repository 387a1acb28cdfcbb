import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The latency SLO threshold (300 ms) is a bucket boundary so the SLO can be computed exactly. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];

const isApiRequest = (url: string) => url === '/api' || url.startsWith('/api/');

export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'API requests by method, route template and status code',
      labelNames,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'API request latency by method, route template and status code',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    const pool = app.db;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge(
      'db_pool_connections_in_use',
      'Pool connections checked out',
      () => pool.totalCount - pool.idleCount,
    );
    gauge('db_pool_connections_idle', 'Pool connections idle', () => pool.idleCount);
    gauge('db_pool_requests_waiting', 'Queries waiting for a pool connection', () => pool.waitingCount);
    gauge('db_pool_connections_max', 'Pool size limit', () => app.config.DATABASE_POOL_MAX);
    new Gauge({
      name: 'app_info',
      help: 'Version of the running API',
      labelNames: ['version', 'git_sha'],
      registers: [registry],
    })
      .labels(app.config.APP_VERSION, app.config.GIT_SHA)
      .set(1);

    // rate() cannot see a series' first increment: without a 0 sample first, a canary's first 500s on a
    // route vanish from the error rate the analysis reads. Every API route starts with its 5xx series at 0.
    app.addHook('onRoute', (route) => {
      if (!isApiRequest(route.url) || route.url.startsWith('/api/docs')) return;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        for (const status_code of ['500', '503']) requests.inc({ method, route: route.url, status_code }, 0);
      }
    });

    // Probes and scrapes are not user traffic: counting them would dilute the error rate the canary
    // analysis and the SLO alerts read.
    app.addHook('onResponse', async (request, reply) => {
      if (!isApiRequest(request.url)) return;
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics', dependencies: ['config', 'db'] },
);
