import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { AWS_REGION, awsStage } from './shared.js';

/** dev runs like staging and prod, on its own EKS cluster and RDS instance from deploy/aws. */
export const dev: StageSettings = {
  ...awsStage('dev', 'dev.conduit.example.com'),
  images: stageImages('dev'),
  database: {
    kind: 'rds',
    // deploy/aws attaches these credentials to the RDS instance `conduit-dev` and rotates them.
    secretName: 'conduit/dev/db',
    port: 5432,
    subnetCidrs: ['10.0.96.0/24', '10.0.97.0/24'],
  },
  api: {
    minReplicas: 2,
    maxReplicas: 3,
    cpuRequest: '100m',
    cpuLimit: '500m',
    memoryRequest: '128Mi',
    memoryLimit: '256Mi',
  },
  web: {
    minReplicas: 2,
    maxReplicas: 3,
    cpuRequest: '50m',
    cpuLimit: '200m',
    memoryRequest: '32Mi',
    memoryLimit: '64Mi',
  },
  pauseSeconds: [30, 30, 30],
  analysis: {
    intervalSeconds: 20,
    initialDelaySeconds: 30,
    failureLimit: 1,
    inconclusiveLimit: 3,
    stepCount: 3,
  },
  zoneSpread: 'ScheduleAnyway',
  aws: { region: AWS_REGION, clusterName: 'conduit-dev' },
  logLevel: 'debug',
};
