import { readFileSync } from 'node:fs';
import { workloadsIn } from '@conduit/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allScenarios, NGINX_CONF } from './artifacts.js';
import { probeRequests } from './request-path.js';
import {
  listenPorts,
  probeAnswerProblem,
  probePortFindings,
  startWebServer,
  type WebServer,
} from './web-server.js';

/**
 * The probes of the nginx workloads (the web tier) and the ALB health checks of their Services, requested
 * from the real nginx running the production nginx.conf: each must be answered by nginx itself, since a
 * path left to the SPA fallback is "healthy" whenever index.html exists, whatever nginx can serve.
 */
const cases = allScenarios().flatMap((a) =>
  workloadsIn(a.scenario.stage)
    .filter(({ workload }) => workload.runtime === 'nginx')
    .map(({ workload }) => [`${a.scenario.name} ${workload.name}`, probeRequests(a, workload)] as const),
);

describe('web probes and health checks against the real nginx', () => {
  let server: WebServer;
  beforeAll(async () => {
    server = await startWebServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('covers the web tier of every scenario', () => {
    expect(cases.length).toBe(allScenarios().length);
  });

  it.each(cases)('%s: every probe port is the port nginx.conf listens on', (_, { requests, findings }) => {
    expect(findings).toEqual([]);
    expect(probePortFindings(requests, listenPorts())).toEqual([]);
  });

  it.each(cases)('%s: nginx itself answers every probe and health-check path', async (_, { requests }) => {
    expect(requests.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const r of requests) {
      const problem = await probeAnswerProblem(await fetch(`${server.url}${r.path}`));
      if (problem) problems.push(`${r.source} ${r.path}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('seeded defect: a path nginx has no location for is caught as the SPA fallback', async () => {
    const problem = await probeAnswerProblem(await fetch(`${server.url}/no-such-probe`));
    expect(problem).toMatch(/SPA shell \(index\.html\)/);
  });

  it('seeded defect: a probe port nginx does not listen on is caught', () => {
    const conf = readFileSync(NGINX_CONF, 'utf8').replace(/listen\s+\d+/, 'listen 8081');
    const [, first] = cases[0] ?? [];
    expect(probePortFindings(first?.requests ?? [], listenPorts(conf))).toEqual(
      expect.arrayContaining(['readinessProbe /readyz: port 8080, but nginx.conf listens on 8081']),
    );
  });
});
