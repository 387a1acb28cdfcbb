import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ConduitChart, type ConduitChartProps } from './charts/conduit-chart.js';
import { AnalysisTemplates } from './constructs/analysis-templates.js';
import { AppWorkload, type AppWorkloadProps } from './constructs/app-workload.js';
import { AppOfApps, type AppOfAppsProps, RootApplication } from './constructs/argocd.js';
import { databasePasswordVolume } from './constructs/database-password.js';
import { Jobs, type JobsProps } from './constructs/jobs.js';
import { Monitoring } from './constructs/monitoring.js';
import { AppNamespace, type AppNamespaceProps } from './constructs/namespace.js';
import { NetworkPolicies, type NetworkPoliciesProps } from './constructs/network-policies.js';
import { Secrets, type SecretsProps } from './constructs/secrets.js';
import { Traffic, type TrafficProps } from './constructs/traffic.js';
import { identityOf } from './identities/index.js';
import { routerOf } from './routers/index.js';
import { renderSettings } from './stages/index.js';

const chart = () => new Chart(new App(), 'test');

describe('AppNamespace props', () => {
  const props: AppNamespaceProps = { name: 'conduit', workloadNames: ['api', 'web'] };

  it('refuses a name Kubernetes refuses and a PriorityClass for no workload, naming the field', () => {
    expect(() => new AppNamespace(chart(), 'ns', { ...props, name: 'Conduit_App' })).toThrow(
      'AppNamespace: name (Conduit_App) must be a DNS label',
    );
    expect(() => new AppNamespace(chart(), 'ns', { ...props, workloadNames: [] })).toThrow(
      'AppNamespace: workloadNames must not be empty',
    );
  });

  it('adds the router labels to the Pod Security ones', () => {
    const c = chart();
    new AppNamespace(c, 'ns', { ...props, routerLabels: { 'example.com/gate': 'enabled' } });
    const ns = c.toJson().find((o) => o.kind === 'Namespace');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'example.com/gate': 'enabled',
    });
  });
});

describe('Secrets props', () => {
  const props: SecretsProps = {
    stage: 'dev',
    namespace: 'conduit',
    region: 'us-east-1',
    jwtSecretName: 'conduit/dev/jwt',
    databaseSecretName: 'conduit/dev/db',
  };

  it('refuses a secret outside the stage prefix the controller may read, naming the field', () => {
    expect(() => new Secrets(chart(), 's', { ...props, databaseSecretName: 'conduit/prod/db' })).toThrow(
      'Secrets: databaseSecretName (conduit/prod/db) must be under conduit/dev/',
    );
  });

  it('refuses a malformed region, naming the field', () => {
    expect(() => new Secrets(chart(), 's', { ...props, region: 'us-east' })).toThrow(
      'Secrets: region (us-east) must be an AWS region',
    );
  });
});

describe('AppWorkload props', () => {
  it('refuses a secret volume the app could write to, naming the volume', () => {
    const stage = renderSettings('dev');
    const { workload, size } = stage.workloads.find((w) => w.workload.name === 'api')!;
    const { volume, mount } = databasePasswordVolume();
    const props: AppWorkloadProps = {
      namespace: stage.namespace,
      router: routerOf(stage),
      identity: identityOf(stage),
      zoneSpread: stage.zoneSpread,
      scrapeIntervalSeconds: stage.scrapeIntervalSeconds,
      pauseSeconds: stage.pauseSeconds,
      workload,
      size,
      image: 'example.com/conduit/api:1',
      analysis: { background: [], step: [] },
    };
    expect(
      () =>
        new AppWorkload(chart(), 'api', {
          ...props,
          volumes: [{ volume, mount: { ...mount, readOnly: false } }],
        }),
    ).toThrow('AppWorkload api: volumes (database-password) must be mounted readOnly');
    expect(() => new AppWorkload(chart(), 'api', { ...props, volumes: [{ volume, mount }] })).not.toThrow();
  });

  it('refuses a namespace, image, scrape interval or pause Kubernetes or Argo Rollouts would refuse, naming the field', () => {
    const stage = renderSettings('dev');
    const { workload, size } = stage.workloads.find((w) => w.workload.name === 'api')!;
    const props: AppWorkloadProps = {
      namespace: 'conduit',
      router: routerOf(stage),
      identity: identityOf(stage),
      zoneSpread: 'ScheduleAnyway',
      scrapeIntervalSeconds: 30,
      pauseSeconds: [60, 60, 60],
      workload,
      size,
      image: 'example.com/conduit/api:1',
      analysis: { background: [], step: [] },
    };
    const make = (p: AppWorkloadProps) => () => new AppWorkload(chart(), 'api', p);
    expect(make({ ...props, namespace: 'Conduit' })).toThrow(
      'AppWorkload api: namespace (Conduit) must be a DNS label',
    );
    expect(make({ ...props, image: 'api' })).toThrow(
      'AppWorkload api: image (api) must be an image reference with a tag or digest',
    );
    expect(make({ ...props, scrapeIntervalSeconds: 0 })).toThrow(
      'AppWorkload api: scrapeIntervalSeconds (0) must be a positive whole number',
    );
    expect(make({ ...props, pauseSeconds: [60, -1, 60] })).toThrow(
      'AppWorkload api: pauseSeconds (-1) must be whole numbers of seconds, not negative',
    );
    expect(make(props)).not.toThrow();
  });
});

describe('Traffic props', () => {
  const stage = renderSettings('dev');
  const props: TrafficProps = {
    router: routerOf(stage),
    namespace: 'conduit',
    host: 'origin.example.com',
    workloads: stage.workloads.map((w) => w.workload),
  };

  it('refuses a namespace, host or workload list no route can be written for, naming the field', () => {
    expect(() => new Traffic(chart(), 't', { ...props, namespace: 'Conduit' })).toThrow(
      'Traffic: namespace (Conduit) must be a DNS label',
    );
    expect(() => new Traffic(chart(), 't', { ...props, host: 'https://example.com' })).toThrow(
      'Traffic: host (https://example.com) must be a lowercase DNS name',
    );
    expect(
      () =>
        new Traffic(chart(), 't', { ...props, workloads: props.workloads.filter((w) => w.kind !== 'http') }),
    ).toThrow('Traffic: workloads must include an HTTP workload');
  });

  it('routes the host to the HTTP workloads in the namespace', () => {
    const c = chart();
    new Traffic(c, 't', props);
    const ingresses = c.toJson().filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const i of ingresses) {
      expect(i.metadata.namespace).toBe('conduit');
      expect(i.spec.rules[0].host).toBe('origin.example.com');
    }
  });
});

describe('Monitoring props', () => {
  const group = { name: 'conduit-api', rules: [{ record: 'x:y', expr: 'up' }] };

  it('refuses a bad namespace and a rule group named twice, naming the field', () => {
    expect(() => new Monitoring(chart(), 'm', { namespace: 'a_b', ruleGroups: [], dashboards: [] })).toThrow(
      'Monitoring: namespace (a_b) must be a DNS label',
    );
    expect(
      () =>
        new Monitoring(chart(), 'm', { namespace: 'conduit', ruleGroups: [group, group], dashboards: [] }),
    ).toThrow('Monitoring: ruleGroups name (conduit-api) must be unique');
  });
});

describe('Jobs props', () => {
  const props: JobsProps = {
    stage: 'dev',
    namespace: 'conduit',
    identity: identityOf(renderSettings('dev')),
    opsImage: 'example.com/conduit/ops:1',
    databaseUrlKey: 'DATABASE_URL',
    databasePasswordFileKey: 'DATABASE_PASSWORD_FILE',
  };

  it('refuses a bad namespace, region or image reference, naming the field', () => {
    expect(() => new Jobs(chart(), 'j', { ...props, namespace: 'Conduit' })).toThrow(
      'Jobs: namespace (Conduit) must be a DNS label',
    );
    expect(() => new Jobs(chart(), 'j', { ...props, awsRegion: 'useast1' })).toThrow(
      'Jobs: awsRegion (useast1) must be an AWS region',
    );
    expect(() => new Jobs(chart(), 'j', { ...props, opsImage: 'ops' })).toThrow(
      'Jobs: opsImage (ops) must be an image reference with a tag or digest',
    );
  });

  it('gives the ops CLI the stage and, only with a region, AWS_REGION', () => {
    const env = (p: JobsProps) => {
      const c = chart();
      new Jobs(c, 'j', p);
      const cron = c.toJson().find((o) => o.kind === 'CronJob');
      const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.args).toContain('dev');
      return container.env.map((e: { name: string }) => e.name);
    };
    expect(env(props)).not.toContain('AWS_REGION');
    expect(env({ ...props, awsRegion: 'eu-west-1' })).toContain('AWS_REGION');
  });
});

describe('NetworkPolicies props', () => {
  const stage = renderSettings('dev');
  const props: NetworkPoliciesProps = {
    namespace: 'conduit',
    workloads: stage.workloads.map((w) => w.workload),
    router: routerOf(stage),
    identity: identityOf(stage),
    prometheus: { namespace: 'monitoring', podLabels: { app: 'prometheus' } },
    database: { port: 5432, subnetCidrs: ['10.0.32.0/20'] },
    emailTransport: 'ses',
  };
  const make = (p: NetworkPoliciesProps) => new NetworkPolicies(chart(), 'n', p);

  it('refuses a database peer or Prometheus selector that would admit too much, naming the field', () => {
    expect(() => make({ ...props, database: { port: 5432, subnetCidrs: [] } })).toThrow(
      'NetworkPolicies: database.subnetCidrs must not be empty',
    );
    expect(() => make({ ...props, database: { port: 5432, subnetCidrs: ['0.0.0.0/0'] } })).toThrow(
      'NetworkPolicies: database.subnetCidrs (0.0.0.0/0) must not be any address',
    );
    expect(() => make({ ...props, database: { port: 5432, subnetCidrs: ['10.0.0.0'] } })).toThrow(
      'NetworkPolicies: database.subnetCidrs (10.0.0.0) must be an IPv4 CIDR',
    );
    expect(() => make({ ...props, database: { port: 0, subnetCidrs: ['10.0.32.0/20'] } })).toThrow(
      'NetworkPolicies: database.port (0) must be a TCP port',
    );
    expect(() => make({ ...props, prometheus: { namespace: 'monitoring', podLabels: {} } })).toThrow(
      'NetworkPolicies: prometheus.podLabels must not be empty',
    );
    expect(() => make({ ...props, namespace: 'Conduit' })).toThrow(
      'NetworkPolicies: namespace (Conduit) must be a DNS label',
    );
  });

  it('opens the submission port only when e-mail goes through an SMTP relay', () => {
    const ports = (p: NetworkPoliciesProps) => {
      const c = chart();
      new NetworkPolicies(c, 'n', p);
      return JSON.stringify(c.toJson().filter((o) => o.kind === 'NetworkPolicy')).includes('"port":587');
    };
    expect(ports(props)).toBe(false);
    expect(ports({ ...props, emailTransport: 'smtp' })).toBe(true);
  });
});

describe('AnalysisTemplates props', () => {
  const analysis = renderSettings('dev').analysis;

  it('refuses a bad namespace and a negative or fractional cadence, naming the field', () => {
    expect(() => new AnalysisTemplates(chart(), 'a', { namespace: 'A', analysis })).toThrow(
      'AnalysisTemplates: namespace (A) must be a DNS label',
    );
    expect(
      () =>
        new AnalysisTemplates(chart(), 'a', {
          namespace: 'conduit',
          analysis: { ...analysis, stepCount: 1.5 },
        }),
    ).toThrow('AnalysisTemplates: analysis.stepCount (1.5) must be a whole number, not negative');
  });
});

describe('Argo CD Application props', () => {
  const stage = renderSettings('dev');
  const props: AppOfAppsProps = {
    stage: 'dev',
    namespace: 'conduit',
    gitRepo: 'https://github.com/example/conduit.git',
    gitRevision: 'main',
    router: routerOf(stage),
    paths: { apps: 'a', platform: 'p', conduit: 'c' },
    addOns: [],
    canaryWorkloads: ['api'],
  };

  it('refuses an empty revision and a bad namespace, naming the field', () => {
    expect(() => new AppOfApps(chart(), 'a', { ...props, gitRevision: '' })).toThrow(
      'AppOfApps: gitRevision must not be empty',
    );
    expect(() => new AppOfApps(chart(), 'a', { ...props, namespace: 'Conduit' })).toThrow(
      'AppOfApps: namespace (Conduit) must be a DNS label',
    );
    expect(
      () =>
        new RootApplication(chart(), 'r', { stage: 'dev', gitRepo: '', gitRevision: 'main', appsPath: 'a' }),
    ).toThrow('RootApplication: gitRepo must not be empty');
  });

  it('points the platform and Conduit Applications at the namespace and revision', () => {
    const c = chart();
    new AppOfApps(c, 'a', props);
    const apps = c.toJson().filter((o) => o.kind === 'Application');
    expect(apps).toHaveLength(2);
    for (const app of apps) {
      expect(app.spec.destination.namespace).toBe('conduit');
      expect(app.spec.source.targetRevision).toBe('main');
    }
  });
});

describe('ConduitChart props', () => {
  const stage = renderSettings('dev');
  const props: ConduitChartProps = {
    stage: 'dev',
    namespace: stage.namespace,
    host: stage.host,
    images: stage.images,
    router: routerOf(stage),
    identity: identityOf(stage),
    workloads: stage.workloads,
    pauseSeconds: stage.pauseSeconds,
    analysis: stage.analysis,
    scrapeIntervalSeconds: stage.scrapeIntervalSeconds,
    zoneSpread: stage.zoneSpread,
    logLevel: stage.logLevel,
    awsRegion: 'us-east-1',
    emailTransport: 'ses',
    ruleGroups: [],
    dashboards: [],
  };
  const make = (p: ConduitChartProps) => () => new ConduitChart(new App(), 'conduit', p);

  it('refuses SES without a region and a malformed OTLP endpoint, naming the field', () => {
    const { awsRegion: _region, ...withoutRegion } = props;
    expect(make(withoutRegion)).toThrow('ConduitChart: awsRegion is required when emailTransport is ses');
    expect(make({ ...props, otlpEndpoint: 'adot-collector:4318' })).toThrow(
      'ConduitChart: otlpEndpoint (adot-collector:4318) must be an http(s) URL',
    );
    expect(make(props)).not.toThrow();
  });

  it('gives the e-mail sender the SES region, or the SMTP relay without SES', () => {
    const notifier = (p: ConduitChartProps) => {
      const objects = new ConduitChart(new App(), 'conduit', p).toJson();
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'notifier');
      const container = deployment.spec.template.spec.containers[0];
      const config = objects.find((o) => o.metadata.name === container.envFrom[0].configMapRef.name);
      return { config: config.data, env: (container.env ?? []).map((e: { name: string }) => e.name) };
    };
    const ses = notifier(props);
    expect(ses.config).toMatchObject({ EMAIL_TRANSPORT: 'ses', AWS_REGION: 'us-east-1' });
    expect(ses.env).not.toContain('SMTP_URL');
    const smtp = notifier({ ...props, emailTransport: 'smtp' });
    expect(smtp.config.EMAIL_TRANSPORT).toBe('smtp');
    expect(smtp.config.AWS_REGION).toBeUndefined();
    expect(smtp.env).toContain('SMTP_URL');
  });
});
