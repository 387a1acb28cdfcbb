import { configKeys } from '@conduit/api';
import { configKeys as notifierKeys } from '@conduit/notifier';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { describe, expect, it } from 'vitest';
import { DATABASE_PASSWORD_SECRET, DATABASE_URL_SECRET } from './constructs/database-ref.js';
import type { K8sObject } from './render.js';
import { DATABASE_PASSWORD_SYNC, validatePasswordSync } from './settings.js';
import { find, one, podSpecs, renderedCases } from './test/objects.js';

type Json = Record<string, unknown>;
const cases = renderedCases();

/** A container's variables, literal and from its ConfigMaps, as the pod would see them. */
function environment(all: readonly K8sObject[], container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name) Object.assign(env, (one(all, 'ConfigMap', name) as Json).data as Record<string, string>);
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

const usesDatabaseSecret = (container: IContainer) =>
  (container.env ?? []).some(
    (variable) =>
      variable.name === configKeys.DATABASE_URL &&
      variable.valueFrom?.secretKeyRef?.name === DATABASE_URL_SECRET.name,
  );

/** Seconds of a Go duration as External Secrets writes them (`60s`, `15m`, `1h`). */
function seconds(duration: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

/**
 * One secret followed through what is rendered: the rotated password leaves Secrets Manager through the
 * ExternalSecret, lands in the `conduit-db` Secret, and reaches every pod that uses the database as a file.
 */
describe('the database password follows a rotation into running pods', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: conduit-db carries the password as a key of its own, refreshed every minute',
    (_name, { all }) => {
      const es = one(all, 'ExternalSecret', DATABASE_URL_SECRET.name) as unknown as {
        spec: { refreshInterval: string; target: { template: { data: Record<string, string> } } };
      };
      expect(es.spec.refreshInterval).toBe(`${DATABASE_PASSWORD_SYNC.refreshIntervalSeconds}s`);
      expect(es.spec.target.template.data[DATABASE_PASSWORD_SECRET.key]).toBe('{{ .password }}');
    },
  );

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: every pod on the database mounts the password read-only and names the file; requests wait longer than the file lags',
    (_name, { all }) => {
      const refresh = seconds(
        (
          one(all, 'ExternalSecret', DATABASE_URL_SECRET.name) as unknown as {
            spec: { refreshInterval: string };
          }
        ).spec.refreshInterval,
      );
      const checked: string[] = [];
      for (const { owner, spec } of podSpecs(all)) {
        // The ops CronJobs keep the URL alone (see jobs.ts): each run is a new pod.
        if (owner.startsWith('CronJob/')) continue;
        for (const container of (spec as IPodSpec).containers.filter(usesDatabaseSecret)) {
          checked.push(owner);
          const env = environment(all, container);
          const file = env[configKeys.DATABASE_PASSWORD_FILE];
          expect(file, owner).toBeDefined();
          const mount = (container.volumeMounts ?? []).find((m) => file?.startsWith(`${m.mountPath}/`));
          // A subPath mount would never see the rotated file.
          expect(mount, owner).toMatchObject({ readOnly: true });
          expect(mount?.subPath, owner).toBeUndefined();
          const volume = spec.volumes?.find((v) => v.name === mount?.name);
          expect(volume?.secret, owner).toEqual({
            secretName: DATABASE_PASSWORD_SECRET.name,
            items: [{ key: DATABASE_PASSWORD_SECRET.key, path: DATABASE_PASSWORD_SECRET.key }],
            defaultMode: 0o440,
          });
          expect(file).toBe(`${mount?.mountPath}/${DATABASE_PASSWORD_SECRET.key}`);
          if (owner.startsWith('Rollout/')) {
            const wait = Number(env[configKeys.DATABASE_PASSWORD_WAIT_MS]);
            const lifetime = Number(env[configKeys.DATABASE_POOL_MAX_LIFETIME_SECONDS]);
            expect(wait, owner).toBeGreaterThan((refresh + DATABASE_PASSWORD_SYNC.kubeletSyncSeconds) * 1000);
            expect(lifetime * 1000, owner).toBeGreaterThan(wait);
          }
        }
      }
      // The API, its migration hook, and the notifier where the stage runs it.
      expect(checked).toEqual(expect.arrayContaining(['Rollout/api', 'Job/api-migrate']));
      if (find(all, 'Deployment', 'notifier').length > 0) expect(checked).toContain('Deployment/notifier');
    },
  );

  it('the notifier declares the settings it is given (the shared names mean the same in both apps)', () => {
    expect(notifierKeys.DATABASE_PASSWORD_FILE).toBe(configKeys.DATABASE_PASSWORD_FILE);
    expect(notifierKeys.DATABASE_POOL_MAX_LIFETIME_SECONDS).toBe(
      configKeys.DATABASE_POOL_MAX_LIFETIME_SECONDS,
    );
    const dev = cases.find((c) => c.name === 'dev');
    const notifier = dev && find(dev.all, 'Deployment', 'notifier')[0];
    if (!notifier) return;
    const container = (notifier.spec as { template: { spec: IPodSpec } }).template.spec.containers[0]!;
    // It has no wait setting: its next poll is the retry.
    expect(environment(dev.all, container)[configKeys.DATABASE_PASSWORD_WAIT_MS]).toBeUndefined();
  });

  it('the ops CronJobs keep DATABASE_URL alone', () => {
    const prod = cases.find((c) => c.name === 'prod')!;
    for (const cron of find(prod.all, 'CronJob')) {
      const container = (cron.spec as { jobTemplate: { spec: { template: { spec: IPodSpec } } } }).jobTemplate
        .spec.template.spec.containers[0]!;
      expect(usesDatabaseSecret(container), cron.metadata.name).toBe(true);
      expect(environment(prod.all, container)[configKeys.DATABASE_PASSWORD_FILE]).toBeUndefined();
    }
  });

  it('refuses a wait the lagging file could outlast, or a lifetime shorter than the wait, naming the fields', () => {
    expect(validatePasswordSync(DATABASE_PASSWORD_SYNC)).toBe(DATABASE_PASSWORD_SYNC);
    expect(() => validatePasswordSync({ ...DATABASE_PASSWORD_SYNC, waitSeconds: 150 })).toThrow(
      'database password sync: waitSeconds (150s) must exceed refreshIntervalSeconds + kubeletSyncSeconds (150s), the longest the mounted file lags a rotation',
    );
    expect(() => validatePasswordSync({ ...DATABASE_PASSWORD_SYNC, maxLifetimeSeconds: 180 })).toThrow(
      'database password sync: maxLifetimeSeconds (180s) must exceed waitSeconds (180s)',
    );
  });
});
