import type { ICluster } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster';
import type { IScheduledBackup } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup';
import { Construct } from 'constructs';
import type { RenderSettings } from '../settings.js';
import { CNPG_CLUSTER } from './database-ref.js';
import { manifest, PART_OF } from './object.js';

/** Same major version as RDS in staging and prod. */
export const POSTGRES_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.5';

/** In-cluster PostgreSQL (CloudNativePG) with base backups and WAL archiving; nothing for RDS stages. */
export class Database extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    const db = stage.database;
    if (db.kind !== 'cnpg') return;
    if (!db.backupDestination.startsWith('s3://')) {
      throw new Error(`database.backupDestination (${db.backupDestination}) must be an s3:// URL`);
    }
    const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/name': 'database' };
    const creds = db.backupCredentialsSecret;
    manifest<ICluster>(this, {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: CNPG_CLUSTER, namespace: stage.namespace, labels },
      spec: {
        instances: db.instances,
        imageName: POSTGRES_IMAGE,
        enableSuperuserAccess: false,
        storage: { size: db.storageSize },
        bootstrap: { initdb: { database: 'conduit', owner: 'conduit' } },
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        backup: {
          retentionPolicy: db.backupRetention,
          barmanObjectStore: {
            destinationPath: db.backupDestination,
            s3Credentials: {
              accessKeyId: { name: creds, key: 'ACCESS_KEY_ID' },
              secretAccessKey: { name: creds, key: 'ACCESS_SECRET_KEY' },
            },
            wal: { compression: 'gzip' },
            data: { compression: 'gzip' },
          },
        },
      },
    });
    manifest<IScheduledBackup>(this, {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: { name: `${CNPG_CLUSTER}-daily`, namespace: stage.namespace, labels },
      spec: {
        // Six fields (seconds first): 02:00 every day.
        schedule: '0 0 2 * * *',
        backupOwnerReference: 'self',
        cluster: { name: CNPG_CLUSTER },
        method: 'barmanObjectStore',
      },
    });
  }
}
