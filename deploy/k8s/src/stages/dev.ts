import type { StageSettings } from '../settings.js';
import { stageImages } from './images.js';
import { common } from './shared.js';

/** A cluster without AWS (kind, k3s, a laptop): NGINX ingress, CloudNativePG, Secrets created by hand. */
export const dev: StageSettings = {
  ...common,
  name: 'dev',
  host: 'conduit.dev.example.com',
  images: stageImages('dev'),
  router: { kind: 'nginx', controllerNamespace: 'ingress-nginx', clusterIssuer: 'letsencrypt' },
  database: {
    kind: 'cnpg',
    instances: 1,
    storageSize: '5Gi',
    backupDestination: 's3://conduit-dev-backups/cnpg',
    backupCredentialsSecret: 'conduit-db-backup-credentials',
    backupRetention: '7d',
  },
  secrets: { kind: 'plain' },
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
  logLevel: 'debug',
};
