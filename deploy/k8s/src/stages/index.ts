import {
  APP_NAMESPACE,
  clusterName,
  databaseSecretName,
  jwtSecretName,
  MONITORING_NAMESPACE,
  stage as modelStage,
  type Stage,
  workloadsIn,
} from '@conduit/platform';
import { OTLP_ENDPOINT } from '../observability.js';
import { type RenderSettings, validateRenderSettings } from '../settings.js';
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
 * A stage of the platform model as the synthesizer's settings. Every stage runs on the EKS cluster deploy/aws
 * creates: the ALB that CloudFront reaches as `origin.<domain>`, RDS credentials and the JWT secret from
 * Secrets Manager through External Secrets, traces to the ADOT collector.
 */
export function renderSettingsOf(stage: Stage): RenderSettings {
  const { canary } = stage;
  if (stage.options.workloadIdentity !== 'pod-identity') {
    // IRSA annotates each service account with a role ARN that only exists once deploy/aws has deployed.
    throw new Error(
      `stage ${stage.name}: options.workloadIdentity ${stage.options.workloadIdentity} is not rendered here; deploy/k8s renders pod-identity (IRSA needs the role ARNs deploy/aws outputs)`,
    );
  }
  return {
    ...common,
    name: stage.name,
    host: `origin.${stage.edge.domainName}`,
    images: stageImages(stage.name),
    router: {
      kind: stage.options.router,
      // Below the pods' 25 s preStop sleep, so the ALB stops sending before SIGTERM.
      deregistrationDelaySeconds: 20,
      canaryServices: 'pingPong',
      sourceCidrs: [stage.network.vpcCidr],
    },
    database: {
      kind: stage.options.database,
      secretName: databaseSecretName(stage.name),
      port: stage.database.port,
      subnetCidrs: stage.network.databaseSubnetCidrs,
    },
    secrets: {
      kind: stage.options.secretStore,
      region: stage.region,
      identity: { kind: 'pod-identity' },
      jwtSecretName: jwtSecretName(stage.name),
    },
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

/** The settings of the stage called `name`, validated; an unknown name throws listing the known ones. */
export function renderSettings(name: string): RenderSettings {
  return validateRenderSettings(renderSettingsOf(modelStage(name)));
}
