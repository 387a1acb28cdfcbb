import { MONITORING_NAMESPACE, secretPrefix } from '@conduit/platform';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { Construct } from 'constructs';
import type { RenderSettings } from '../settings.js';
import { JWT_SECRET } from './database-ref.js';
import { manifest, PART_OF } from './object.js';

export const SECRET_STORE = 'aws-secrets-manager';

/**
 * Secrets from AWS Secrets Manager through External Secrets Operator. In `plain` mode nothing is rendered:
 * the Secrets are created out of band and the workloads only reference them by name.
 */
/** External Secrets (Go template, engine v2) `DATABASE_URL` from deploy/aws's attached credentials. */
export const RDS_DATABASE_URL_TEMPLATE =
  'postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full';

export class Secrets extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
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
          dataFrom: [{ extract: { key: `${secretPrefix(stage.name)}${name}` } }],
        },
      });
    }
    const db = stage.database;
    if (db.kind === 'rds') {
      // deploy/aws's rotation Lambda changes the password every 30 days; the URL is rebuilt from the
      // attached secret (host, port and dbname included) on every refresh, so nothing here is hand-copied.
      // node-postgres treats sslmode=verify-full as "verify against Node's CA store plus sslrootcert":
      // see the README (TLS to RDS) for the RDS CA bundle it needs.
      const keys = ['username', 'password', 'host', 'port', 'dbname'] as const;
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
              data: { DATABASE_URL: RDS_DATABASE_URL_TEMPLATE },
            },
          },
          data: keys.map((key) => ({ secretKey: key, remoteRef: { key: db.secretName, property: key } })),
        },
      });
    }
  }
}
