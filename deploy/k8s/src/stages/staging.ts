import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { AWS_REGION, awsStage } from './shared.js';

export const staging: StageSettings = {
  ...awsStage('staging', 'staging.conduit.example.com'),
  images: stageImages('staging'),
  database: {
    kind: 'rds',
    // deploy/aws attaches these credentials to the RDS instance `conduit-staging` and rotates them.
    secretName: 'conduit/staging/db',
    port: 5432,
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
  aws: { region: AWS_REGION, clusterName: 'conduit-staging' },
  logLevel: 'info',
};
