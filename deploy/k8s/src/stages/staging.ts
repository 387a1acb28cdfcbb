import { OTLP_ENDPOINT } from '../observability.js';
import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { common } from './shared.js';

export const staging: StageSettings = {
  ...common,
  name: 'staging',
  host: 'conduit.staging.example.com',
  images: stageImages('staging'),
  router: {
    kind: 'alb',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000002',
    deregistrationDelaySeconds: 20,
    canaryServices: 'pingPong',
    sourceCidrs: ['10.20.0.0/16'],
  },
  database: {
    kind: 'rds',
    host: 'conduit-staging.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com',
    port: 5432,
    name: 'conduit',
    managedSecret: 'rds!db-conduit-staging',
    subnetCidrs: ['10.20.64.0/20', '10.20.80.0/20', '10.20.96.0/20'],
  },
  secrets: {
    kind: 'external-secrets',
    region: 'eu-west-1',
    identity: { kind: 'pod-identity' },
    jwtSecretName: 'conduit/staging/jwt-secret',
  },
  api: {
    minReplicas: 2,
    maxReplicas: 4,
    cpuRequest: '250m',
    cpuLimit: '1',
    memoryRequest: '256Mi',
    memoryLimit: '512Mi',
  },
  web: {
    minReplicas: 2,
    maxReplicas: 4,
    cpuRequest: '50m',
    cpuLimit: '250m',
    memoryRequest: '32Mi',
    memoryLimit: '64Mi',
  },
  pauseSeconds: [120, 120, 120],
  analysis: {
    intervalSeconds: 30,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 2,
    stepCount: 4,
  },
  zoneSpread: 'ScheduleAnyway',
  logLevel: 'info',
  otlpEndpoint: OTLP_ENDPOINT,
  aws: { region: 'eu-west-1', clusterName: 'conduit-staging', vpcId: 'vpc-0staging0000000000' },
};
