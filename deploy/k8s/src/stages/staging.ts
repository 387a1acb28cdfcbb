import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { AWS_REGION, awsStage } from './shared.js';

export const staging: StageSettings = {
  ...awsStage('staging', 'staging.conduit.example.com'),
  images: stageImages('staging'),
  database: {
    kind: 'rds',
    // RDS instance `conduit-staging` (deploy/aws); the endpoint's middle part is fixed per account and region.
    host: 'conduit-staging.c0abcdefghij.us-east-1.rds.amazonaws.com',
    port: 5432,
    name: 'conduit',
    managedSecret: 'rds!db-conduit-staging',
    subnetCidrs: ['10.0.128.0/24', '10.0.129.0/24', '10.0.130.0/24'],
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
  aws: { region: AWS_REGION, clusterName: 'conduit-staging', vpcId: 'vpc-0staging0000000000' },
  logLevel: 'info',
};
