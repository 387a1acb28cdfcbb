import { STAGE_NAMES, workloadsIn } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { renderStage } from './render.js';
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
