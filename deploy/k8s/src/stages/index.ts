import {
  APP_NAMESPACE,
  clusterName,
  databaseSecretName,
  jwtSecretName,
  MONITORING_NAMESPACE,
  stage as modelStage,
  originSecurityGroupName,
  publicSubnetCidrs,
  type Scenario,
  type Stage,
  type StageOptions,
  scenarioStage,
  workloadsIn,
} from '@conduit/platform';
import { OTLP_ENDPOINT } from '../observability.js';
import { type RenderSettings, type RouterSettings, validateRenderSettings } from '../settings.js';
import { stageImages } from './images.js';

/** What every stage's cluster shares: the app namespace, the scraping Prometheus, the ALB's draining. */
const common = {
  namespace: APP_NAMESPACE,
  prometheus: {
    namespace: MONITORING_NAMESPACE,
    podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  },
} as const;

/**
 * A stage of the platform model (or a scenario's) as the synthesizer's settings. Every stage runs on the EKS
 * cluster deploy/aws creates: the router's load balancer that CloudFront reaches as `origin.<domain>`, RDS
 * credentials and the JWT secret from Secrets Manager through External Secrets, traces to the ADOT collector.
 */
export function renderSettingsOf(stage: Stage): RenderSettings {
  const { canary } = stage;
  return {
    ...common,
    name: stage.name,
    host: `origin.${stage.edge.domainName}`,
    images: stageImages(stage.name),
    router: ROUTERS[stage.options.router](stage),
    database: {
      kind: stage.options.database,
      secretName: databaseSecretName(stage.name),
      port: stage.database.port,
      subnetCidrs: stage.network.databaseSubnetCidrs,
    },
    secrets: {
      kind: stage.options.secretStore,
      region: stage.region,
      jwtSecretName: jwtSecretName(stage.name),
    },
    identity:
      stage.options.workloadIdentity === 'irsa'
        ? { kind: 'irsa', account: stage.account }
        : { kind: 'pod-identity' },
    workloads: workloadsIn(stage.name),
    pauseSeconds: canary.pauseSeconds,
    analysis: {
      intervalSeconds: canary.intervalSeconds,
      initialDelaySeconds: canary.initialDelaySeconds,
      failureLimit: canary.failureLimit,
      inconclusiveLimit: canary.inconclusiveLimit,
      stepCount: canary.stepCount,
    },
    scrapeIntervalSeconds: stage.scrapeIntervalSeconds,
    zoneSpread: stage.zoneSpread,
    logLevel: stage.logLevel,
    otlpEndpoint: OTLP_ENDPOINT,
    gitRepo: stage.gitops.repoUrl,
    gitRevision: stage.gitops.targetRevision,
    aws: { region: stage.region, clusterName: clusterName(stage.name) },
  };
}

/** What Kubernetes needs to know about each router beyond the model's choice of it. */
const ROUTERS: { [R in StageOptions['router']]: (stage: Stage) => Extract<RouterSettings, { kind: R }> } = {
  alb: (stage) => ({
    kind: 'alb',
    // Below the pods' 25 s preStop sleep, so the ALB stops sending before SIGTERM.
    deregistrationDelaySeconds: 20,
    // The public subnets hold the ALB's ENIs (requests and health checks); the rest of the VPC is pods.
    sourceCidrs: publicSubnetCidrs(stage.network),
    securityGroup: originSecurityGroupName(stage.name),
  }),
  nginx: (stage) => ({
    kind: 'nginx',
    controllerNamespace: 'ingress-nginx',
    clusterIssuer: 'letsencrypt',
    acmeServer: 'https://acme-v02.api.letsencrypt.org/directory',
    loadBalancerSecurityGroup: originSecurityGroupName(stage.name),
  }),
};

/** The settings of a scenario of the model (a stage with option overrides), validated. */
export function scenarioSettings(scenario: Scenario): RenderSettings {
  return validateRenderSettings(renderSettingsOf(scenarioStage(scenario)));
}

/** The settings of the stage called `name`, validated; an unknown name throws listing the known ones. */
export function renderSettings(name: string): RenderSettings {
  return validateRenderSettings(renderSettingsOf(modelStage(name)));
}
