import { OTLP_ENDPOINT } from '../observability.js';
import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { common } from './shared.js';

export const prod: StageSettings = {
  ...common,
  name: 'prod',
  host: 'conduit.example.com',
  images: stageImages('prod'),
  router: {
    kind: 'alb',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000003',
    deregistrationDelaySeconds: 20,
    canaryServices: 'pingPong',
    sourceCidrs: ['10.30.0.0/16'],
  },
  database: {
    kind: 'rds',
    host: 'conduit-prod.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com',
    port: 5432,
    name: 'conduit',
    managedSecret: 'rds!db-conduit-prod',
    subnetCidrs: ['10.30.64.0/20', '10.30.80.0/20', '10.30.96.0/20'],
  },
  secrets: {
    kind: 'external-secrets',
    region: 'eu-west-1',
    identity: { kind: 'pod-identity' },
    jwtSecretName: 'conduit/prod/jwt-secret',
  },
  api: {
    minReplicas: 2,
    maxReplicas: 6,
    cpuRequest: '500m',
    cpuLimit: '1',
    memoryRequest: '384Mi',
    memoryLimit: '768Mi',
  },
  web: {
    minReplicas: 2,
    maxReplicas: 6,
    cpuRequest: '100m',
    cpuLimit: '250m',
    memoryRequest: '32Mi',
    memoryLimit: '64Mi',
  },
  pauseSeconds: [300, 300, 300],
  analysis: {
    intervalSeconds: 30,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 2,
    stepCount: 4,
  },
  zoneSpread: 'DoNotSchedule',
  logLevel: 'info',
  otlpEndpoint: OTLP_ENDPOINT,
  aws: { region: 'eu-west-1', clusterName: 'conduit-prod', vpcId: 'vpc-0prod000000000000' },
};
