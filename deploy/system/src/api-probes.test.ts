import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workload } from '@conduit/platform';
import { type ApiProcess, startApiProcess, startPostgres, type TestPostgres } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allManifests, allScenarios, type ScenarioArtifacts } from './artifacts.js';
import { containerSetting, podOwners, routeCovers } from './kube.js';
import { mainContainer, probeRequests } from './request-path.js';

/**
 * The API's probes, its ALB health checks and its public route, answered by the real API server (its
 * `server.ts`, as the image runs it) with the settings the pods get, on a real PostgreSQL.
 */
const API = workload('api');
const dev = allScenarios().find((a) => a.scenario.name === 'dev') as ScenarioArtifacts;

/** The settings of the API's ConfigMap in a scenario (what `envFrom` gives the container). */
function podSettings(a: ScenarioArtifacts): Record<string, string> {
  const objects = allManifests(a);
  const owner = podOwners(objects).find((o) => o.owner.metadata.name === API.name);
  const container = owner && mainContainer(owner.template, API);
  if (!container) throw new Error(`${a.scenario.name}: no API container`);
  const out: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    Object.assign(out, cm?.data ?? {});
  }
  for (const name of ['PORT']) {
    const value = containerSetting(container, objects, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Why an answer is not the API's own 200 (empty when it is). */
async function apiAnswerProblem(response: Response): Promise<string | undefined> {
  const type = response.headers.get('content-type') ?? '';
  const body = await response.text();
  if (response.status !== 200) return `answered ${response.status}: ${body.slice(0, 120)}`;
  if (!type.startsWith('application/json')) return `answered ${type}, not the API's JSON`;
  return undefined;
}

describe('API probes, health checks and route against the real API server', () => {
  let pg: TestPostgres;
  let api: ApiProcess;
  beforeAll(async () => {
    pg = await startPostgres();
    const settings = podSettings(dev);
    // The pods' own settings, except: a loopback address and a free port for this run, no trace
    // collector, and migrations at start in place of the PreSync Job that runs them before the pods.
    const { HOST: _host, PORT: _port, OTEL_EXPORTER_OTLP_ENDPOINT: _otel, ...kept } = settings;
    const databaseUrl = await pg.createDatabase('system');
    // The password file the pods mount from the conduit-db Secret, written where this run can read it.
    if (kept.DATABASE_PASSWORD_FILE) {
      const file = join(mkdtempSync(join(tmpdir(), 'conduit-system-')), 'password');
      writeFileSync(file, decodeURIComponent(new URL(databaseUrl).password), { mode: 0o600 });
      kept.DATABASE_PASSWORD_FILE = file;
    }
    api = await startApiProcess({ env: { ...kept, DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true' } });
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.stop();
  });

  it.each(allScenarios().map((a) => [a.scenario.name, a] as const))(
    '%s: the API listens on the port its probes and Services name, and answers every probe path',
    async (_, a) => {
      const { requests, findings } = probeRequests(a, API);
      expect(findings).toEqual([]);
      expect(requests.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const r of requests) {
        if (Number(podSettings(a).PORT) !== r.port) {
          problems.push(
            `${r.source} ${r.path}: port ${r.port}, but the API listens on PORT ${podSettings(a).PORT}`,
          );
        }
        const problem = await apiAnswerProblem(await fetch(`${api.url}${r.path}`));
        if (problem) problems.push(`${r.source} ${r.path}: ${problem}`);
      }
      expect(problems).toEqual([]);
    },
  );

  it('serves its documented operations under its public routes, and answers them', async () => {
    const doc = (await (await fetch(`${api.url}${API.routes[0]}/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; required?: boolean }[]; security?: unknown[] }>
      >;
    };
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBeGreaterThan(5);
    const under = (path: string) => API.routes.some((route) => routeCovers(route, path));
    expect(paths.filter((p) => !under(p))).toEqual([]);
    for (const route of API.routes) {
      // A public GET without required parameters, which the router sends to the API for this route.
      const get = paths.find(
        (p) =>
          !p.includes('{') &&
          doc.paths[p]?.get &&
          !(doc.paths[p]?.get?.parameters ?? []).some((x) => x.required) &&
          (doc.paths[p]?.get?.security ?? []).length === 0,
      );
      expect(get, route).toBeDefined();
      const response = await fetch(`${api.url}${get}`);
      expect(await apiAnswerProblem(response), `GET ${get}`).toBeUndefined();
    }
  });

  it('seeded defect: a probe path the API has no route for is caught', async () => {
    expect(await apiAnswerProblem(await fetch(`${api.url}/ready`))).toMatch(/^answered 404/);
  });
});
