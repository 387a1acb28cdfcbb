import { STAGE_NAMES, workloadsIn } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { type AddOnsProps, addOnsFor } from './add-ons.js';
import { identityOf } from './identities/index.js';
import { monitoringValues } from './observability.js';
import { renderStage } from './render.js';
import { routerOf } from './routers/index.js';
import { renderSettings } from './stages/index.js';
import { find, one } from './test/objects.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk rendered manifests of many kinds
type Json = Record<string, any>;
const rendered = STAGE_NAMES.map((name) => [name, renderStage(renderSettings(name))] as const);
const app = (dirs: ReturnType<typeof renderStage>, name: string) =>
  one(dirs.apps, 'Application', name) as Json;

describe('rollout monitoring and Argo CD drift', () => {
  it.each(rendered)(
    '%s: Argo Rollouts is scraped with honorLabels, so alerts keep the rollout namespace',
    (name, dirs) => {
      const sm = one(dirs.platform, 'ServiceMonitor', 'argo-rollouts') as Json;
      expect(sm.metadata.namespace).toBe('argo-rollouts');
      expect(sm.spec.endpoints.map((e: Json) => e.honorLabels)).toEqual([true]);
      const rollouts = app(dirs, `${name}-argo-rollouts`);
      expect(rollouts.spec.destination.namespace).toBe('argo-rollouts');
      expect(sm.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe(
        rollouts.spec.source.helm.releaseName,
      );
      // The chart's own ServiceMonitor (no honorLabels) would scrape the controller a second time.
      expect(rollouts.spec.source.helm.valuesObject.controller.metrics.serviceMonitor.enabled).toBe(false);
    },
  );

  it.each(rendered)(
    '%s: the HPA bounds the model sets are never ignored, so a stage change reaches the cluster',
    (name, dirs) => {
      const conduit = app(dirs, `conduit-${name}`);
      expect(conduit.spec.syncPolicy.automated.selfHeal).toBe(true);
      expect(conduit.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
      const kinds = conduit.spec.ignoreDifferences.map((d: Json) => d.kind);
      expect(kinds).not.toContain('HorizontalPodAutoscaler');
      expect(find(dirs.conduit, 'HorizontalPodAutoscaler').length).toBe(workloadsIn(name).length);
    },
  );
});

describe('ADOT collector and blackbox exporter add-ons', () => {
  it.each(rendered)('%s: the API exports OTLP to the rendered adot-collector Service', (name, dirs) => {
    const adot = app(dirs, `${name}-adot-collector`);
    const values = adot.spec.source.helm.valuesObject;
    expect(adot.spec.destination.namespace).toBe('observability');
    expect(values.fullnameOverride).toBe('adot-collector');
    expect(values.serviceAccount.name).toBe('adot-collector');
    const api = (one(dirs.conduit, 'Rollout', 'api') as Json).spec.template.spec.containers[0];
    const config = one(dirs.conduit, 'ConfigMap', api.envFrom[0].configMapRef.name) as Json;
    expect(config.data.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      `http://${values.fullnameOverride}.${adot.spec.destination.namespace}.svc:${values.ports['otlp-http'].servicePort}`,
    );
  });

  it.each(rendered)('%s: the blackbox exporter probes the public (CloudFront) URL', (name, dirs) => {
    const blackbox = app(dirs, `${name}-blackbox-exporter`);
    expect(blackbox.spec.source.chart).toBe('prometheus-blackbox-exporter');
    expect(blackbox.spec.source.targetRevision).toMatch(/^\d+\.\d+\.\d+$/);
    const target = blackbox.spec.source.helm.valuesObject.serviceMonitor.targets[0];
    expect(target.url).toBe(`https://${renderSettings(name).host.replace(/^origin\./, '')}/healthz`);
  });

  it('a stage without tracing renders no collector', () => {
    const { otlpEndpoint: _otlp, ...noTracing } = renderSettings('dev');
    expect(find(renderStage(noTracing).apps, 'Application', 'dev-adot-collector')).toEqual([]);
  });
});

describe('addOnsFor props', () => {
  const stage = renderSettings('dev');
  const props: AddOnsProps = {
    router: routerOf(stage),
    identity: identityOf(stage),
    host: 'origin.dev.example.com',
    awsRegion: 'us-east-1',
    monitoring: monitoringValues(stage),
  };
  const names = (p: AddOnsProps) => addOnsFor(p).map((a) => a.name);

  it('refuses a malformed region and a host external-dns could not be limited by, naming the field', () => {
    expect(() => addOnsFor({ ...props, awsRegion: 'useast1' })).toThrow(
      'addOnsFor: awsRegion (useast1) must be an AWS region',
    );
    expect(() => addOnsFor({ ...props, host: 'origin.example' })).toThrow(
      'addOnsFor: host (origin.example) must be a name below a domain',
    );
  });

  it('limits external-dns to the parent domain of the host, and only with a region', () => {
    const dns = addOnsFor(props).find((a) => a.name === 'external-dns') as Json;
    expect(dns.values.domainFilters).toEqual(['dev.example.com']);
    const { awsRegion: _region, ...withoutAws } = props;
    expect(names(withoutAws)).not.toContain('external-dns');
    expect(names(props)).toContain('external-dns');
  });
});
