import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { AWS_REGION, awsStage } from './shared.js';

export const prod: StageSettings = {
  ...awsStage('prod', 'conduit.example.com'),
  images: stageImages('prod'),
  database: {
    kind: 'rds',
    // deploy/aws attaches these credentials to the RDS instance `conduit-prod` and rotates them.
    secretName: 'conduit/prod/db',
    port: 5432,
    subnetCidrs: ['10.0.128.0/24', '10.0.129.0/24', '10.0.130.0/24'],
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
  aws: { region: AWS_REGION, clusterName: 'conduit-prod' },
  logLevel: 'info',
};
