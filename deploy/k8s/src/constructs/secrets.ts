import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { Construct } from 'constructs';
import type { StageSettings } from '../settings.js';
import { JWT_SECRET } from './database-ref.js';
import { manifest, PART_OF } from './object.js';

export const SECRET_STORE = 'aws-secrets-manager';
/** Namespace of kube-prometheus-stack, whose Grafana and Alertmanager read two Secrets (deploy/observability). */
export const MONITORING_NAMESPACE = 'monitoring';

/**
 * Secrets from AWS Secrets Manager through External Secrets Operator. In `plain` mode nothing is rendered:
 * the Secrets are created out of band and the workloads only reference them by name.
 */
export class Secrets extends Construct {
  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    const s = stage.secrets;
    if (s.kind !== 'external-secrets') return;
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    manifest<IClusterSecretStore>(this, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: SECRET_STORE, labels },
      spec: {
        // Only our namespace may read through this store.
        conditions: [{ namespaces: [stage.namespace, MONITORING_NAMESPACE] }],
        provider: {
          aws: {
            service: 'SecretsManager',
            region: s.region,
            // Pod Identity: the controller's own credentials. IRSA: a web identity token of its ServiceAccount.
            ...(s.identity.kind === 'irsa'
              ? {
                  auth: {
                    jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } },
                  },
                }
              : {}),
          },
        },
      },
    });
    manifest<IExternalSecret>(this, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: JWT_SECRET.name, namespace: stage.namespace, labels },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
        target: { name: JWT_SECRET.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: JWT_SECRET.key, remoteRef: { key: s.jwtSecretName } }],
      },
    });
    // Grafana's admin login and the Alertmanager receivers' credentials (keys as stored, JSON objects).
    for (const name of ['grafana-admin', 'alertmanager-receivers']) {
      manifest<IExternalSecret>(this, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace: MONITORING_NAMESPACE, labels },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
          target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          dataFrom: [{ extract: { key: `conduit/${stage.name}/${name}` } }],
        },
      });
    }
    const db = stage.database;
    if (db.kind === 'rds') {
      // RDS rotates the managed secret; the URL is rebuilt from it on every refresh.
      manifest<IExternalSecret>(this, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'conduit-db', namespace: stage.namespace, labels },
        spec: {
          refreshInterval: '15m',
          secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
          target: {
            name: 'conduit-db',
            creationPolicy: 'Owner',
            deletionPolicy: 'Retain',
            template: {
              engineVersion: 'v2',
              data: {
                DATABASE_URL: `postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@${db.host}:${db.port}/${db.name}?sslmode=verify-full`,
              },
            },
          },
          data: [
            { secretKey: 'username', remoteRef: { key: db.managedSecret, property: 'username' } },
            { secretKey: 'password', remoteRef: { key: db.managedSecret, property: 'password' } },
          ],
        },
      });
    }
  }
}
