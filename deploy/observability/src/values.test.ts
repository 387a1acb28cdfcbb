import { containerLogGroupName, STAGE_NAMES } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { promtool, run, tempDir } from '../test/tools.js';
import { writeObserveFiles } from './observe.js';
import {
  adotCollectorConfig,
  adotCollectorValues,
  blackboxExporterValues,
  fluentBitValues,
  kubePrometheusStackValues,
  PROBE_PATH_REGEX,
} from './values.js';

describe('kube-prometheus-stack values', () => {
  it.each(STAGE_NAMES)(
    '%s: 15d on 10Gi gp3, Grafana 5Gi with admin from a Secret, sidecar dashboards',
    (stage) => {
      const values = kubePrometheusStackValues(stage);
      const spec = values.prometheus.prometheusSpec;
      expect(spec.retention).toBe('15d');
      expect(spec.storageSpec.volumeClaimTemplate.spec).toMatchObject({
        storageClassName: 'gp3',
        resources: { requests: { storage: '10Gi' } },
      });
      expect(values.grafana.persistence).toMatchObject({
        enabled: true,
        storageClassName: 'gp3',
        size: '5Gi',
      });
      expect(values.grafana.admin.existingSecret).toBe('grafana-admin');
      expect(values.grafana.sidecar.dashboards).toMatchObject({ enabled: true, label: 'grafana_dashboard' });
      expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers']);
      expect(values.alertmanager.config.route.receiver).toBe('chat');
      expect(values.kubeStateMetrics.enabled && values.nodeExporter.enabled).toBe(true);
      expect(spec.externalLabels.stage).toBe(stage);
      expect(JSON.stringify(values)).not.toMatch(/adminPassword|"password"/i);
    },
  );

  it('rejects an unknown stage and a bad region, naming the field', () => {
    expect(() => kubePrometheusStackValues('qa')).toThrow('unknown stage "qa" (known: dev, staging, prod)');
    expect(() => kubePrometheusStackValues('dev', { region: 'mars' })).toThrow(
      /region must be an AWS region/,
    );
  });
});

describe('Fluent Bit values', () => {
  it.each(STAGE_NAMES)(
    '%s: writes to the CDK-owned log group without creating it or setting retention, JSON merge, metadata',
    (stage) => {
      const { config } = fluentBitValues(stage);
      const output = config.outputs.split('\n').map((l) => l.trim());
      expect(output).toContain('Name cloudwatch_logs');
      expect(output).toContain(`log_group_name /conduit/${stage}/containers`);
      // The IAM role deploy/aws gives Fluent Bit has no logs:CreateLogGroup / PutRetentionPolicy.
      expect(output).toContain('auto_create_group Off');
      expect(output.filter((l) => /auto_create_group|log_retention_days/i.test(l))).toEqual([
        'auto_create_group Off',
      ]);
      // The group deploy/aws creates: both take its name from the platform model.
      expect(output).toContain(`log_group_name ${containerLogGroupName(stage)}`);
      expect(config.filters).toContain('Name kubernetes');
      expect(config.filters).toContain('Merge_Log On');
      expect(config.inputs).toContain('multiline.parser docker, cri');
    },
  );

  it('drops probe and scrape lines of both tiers and keeps real traffic', () => {
    const probe = new RegExp(PROBE_PATH_REGEX);
    for (const path of ['/healthz', '/readyz', '/metrics', '/readyz?verbose=1'])
      expect(probe.test(path)).toBe(true);
    for (const path of ['/api/articles', '/api/healthz-report', '/', '/metrics-dashboard']) {
      expect(probe.test(path)).toBe(false);
    }
    const { filters } = fluentBitValues('prod').config;
    expect(filters).toContain(`Exclude $req['url'] ${PROBE_PATH_REGEX}`);
    expect(filters).toContain(`Exclude $uri ${PROBE_PATH_REGEX}`);
  });

  it('names the service account the workload identity of the stage binds (deploy/k8s adds IRSA annotations)', () => {
    expect(fluentBitValues('dev').serviceAccount).toEqual({
      create: true,
      name: 'fluent-bit',
      annotations: {},
    });
  });
});

describe('ADOT collector and blackbox probe', () => {
  it('sends OTLP traces through defined processors to X-Ray', () => {
    const config = adotCollectorConfig('staging', { region: 'eu-central-1' });
    const pipeline = config.service.pipelines.traces;
    for (const name of pipeline.receivers) expect(Object.keys(config.receivers)).toContain(name);
    for (const name of pipeline.processors) expect(Object.keys(config.processors)).toContain(name);
    for (const name of pipeline.exporters) expect(Object.keys(config.exporters)).toContain(name);
    expect(pipeline.processors[0]).toBe('memory_limiter');
    expect(pipeline.processors.at(-1)).toBe('batch');
    expect(config.exporters.awsxray.region).toBe('eu-central-1');
    expect(adotCollectorValues('prod').replicaCount).toBe(2);
  });

  it('probes the public origin for the certificate alert', () => {
    const values = blackboxExporterValues('prod', 'https://conduit.example.com/');
    expect(values.serviceMonitor.targets).toEqual([
      { name: 'conduit-prod', url: 'https://conduit.example.com/healthz' },
    ]);
    expect(() => blackboxExporterValues('prod', 'http://x')).toThrow(/publicUrl must be/);
  });
});

describe('npm run observe files (real promtool)', () => {
  it('writes a Prometheus config with the same rules that promtool accepts', async () => {
    const dir = await tempDir('observe');
    try {
      const config = writeObserveFiles(dir.dir, { apiPort: 8080 });
      const result = await run(promtool(), ['check', 'config', config]);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
      expect(() => writeObserveFiles(dir.dir, { apiPort: 70000 })).toThrow(/PORT must be a TCP port/);
    } finally {
      await dir.dispose();
    }
  });
});
