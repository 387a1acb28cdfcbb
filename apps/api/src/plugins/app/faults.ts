import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';

class InjectedFaultError extends Error {
  readonly statusCode = 500;
  constructor() {
    super('injected fault');
    this.name = 'InjectedFaultError';
  }
}

/**
 * Release-drill fault injection: added latency and a share of 500s on API routes only, so probes and
 * metrics keep working while the canary analysis sees a bad version. Off unless configured; production
 * additionally requires FAULT_INJECTION_ALLOWED (checked in config).
 */
export default fp(
  async (app) => {
    const { FAULT_ERROR_RATE: errorRate, FAULT_LATENCY_MS: latencyMs } = app.config;
    if (errorRate === 0 && latencyMs === 0) return;
    app.log.warn({ errorRate, latencyMs }, 'fault injection is ON');
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api/') || request.url.startsWith('/api/docs')) return;
      if (latencyMs > 0) await sleep(latencyMs);
      if (errorRate > 0 && Math.random() < errorRate) throw new InjectedFaultError();
    });
  },
  { name: 'faults', dependencies: ['config'] },
);
