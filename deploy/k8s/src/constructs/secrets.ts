import {
  alertmanagerReceiversSecretName,
  grafanaAdminSecretName,
  MONITORING_NAMESPACE,
  type StageName,
  secretPrefix,
} from '@conduit/platform';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { Construct } from 'constructs';
import { DATABASE_PASSWORD_SYNC } from '../settings.js';
import { DATABASE_PASSWORD_SECRET, DATABASE_URL_SECRET, JWT_SECRET } from './database-ref.js';
import { manifest, PART_OF } from './object.js';

export const SECRET_STORE = 'aws-secrets-manager';

/** External Secrets (Go template, engine v2) `DATABASE_URL` from deploy/aws's attached credentials. */
export const RDS_DATABASE_URL_TEMPLATE =
  'postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full';

export interface SecretsProps {
  /** The stage: its Grafana and Alertmanager secrets live under `secretPrefix(stage)`. */
  readonly stage: StageName;
  /** The app namespace, the only one (with monitoring) the store serves. */
  readonly namespace: string;
  /** Region of Secrets Manager. */
  readonly region: string;
  /** Secrets Manager name of the JWT signing secret (a plain string). */
  readonly jwtSecretName: string;
  /** Secrets Manager name of deploy/aws's attached RDS credentials. */
  readonly databaseSecretName: string;
  /**
   * `auth` of the store's provider (the workload identity's).
   * @default none: the controller's own credentials
   */
  readonly storeAuth?: Readonly<Record<string, unknown>>;
}

/** Secrets from AWS Secrets Manager through External Secrets Operator. */
export class Secrets extends Construct {
  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(props.region)) {
      throw new Error(`Secrets: region (${props.region}) must be an AWS region`);
    }
    for (const [field, name] of [
      ['jwtSecretName', props.jwtSecretName],
      ['databaseSecretName', props.databaseSecretName],
    ] as const) {
      if (!name.startsWith(secretPrefix(props.stage))) {
        throw new Error(
          `Secrets: ${field} (${name}) must be under ${secretPrefix(props.stage)}, the only secrets the controller may read`,
        );
      }
    }
    const auth = props.storeAuth;
    const labels = { 'app.kubernetes.io/part-of': PART_OF };
    manifest<IClusterSecretStore>(this, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: SECRET_STORE, labels },
      spec: {
        // Only our namespace may read through this store.
        conditions: [{ namespaces: [props.namespace, MONITORING_NAMESPACE] }],
        provider: {
          aws: {
            service: 'SecretsManager',
            region: props.region,
            ...(auth ? { auth } : {}),
          },
        },
      },
    });
    manifest<IExternalSecret>(this, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: JWT_SECRET.name, namespace: props.namespace, labels },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
        target: { name: JWT_SECRET.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: JWT_SECRET.key, remoteRef: { key: props.jwtSecretName } }],
      },
    });
    // Grafana's admin login (deploy/aws generates it) and the Alertmanager receivers' credentials (a person
    // creates them: docs/operations.md), JSON objects synced key by key.
    for (const [name, remoteKey] of [
      ['grafana-admin', grafanaAdminSecretName(props.stage)],
      ['alertmanager-receivers', alertmanagerReceiversSecretName(props.stage)],
    ] as const) {
      manifest<IExternalSecret>(this, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace: MONITORING_NAMESPACE, labels },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
          target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          dataFrom: [{ extract: { key: remoteKey } }],
        },
      });
    }
    // deploy/aws's rotation Lambda changes the password every 30 days; the URL is rebuilt from the
    // attached secret (host, port and dbname included) on every refresh, so nothing here is hand-copied.
    // node-postgres treats sslmode=verify-full as "verify against Node's CA store plus sslrootcert":
    // see the README (TLS to RDS) for the RDS CA bundle it needs. The password is also a key of its own,
    // which pods mount as a file: refreshed every minute, a rotation reaches running pods within a bound
    // (DATABASE_PASSWORD_SYNC) instead of at their next restart.
    const keys = ['username', 'password', 'host', 'port', 'dbname'] as const;
    manifest<IExternalSecret>(this, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: DATABASE_URL_SECRET.name, namespace: props.namespace, labels },
      spec: {
        refreshInterval: `${DATABASE_PASSWORD_SYNC.refreshIntervalSeconds}s`,
        secretStoreRef: { kind: 'ClusterSecretStore', name: SECRET_STORE },
        target: {
          name: DATABASE_URL_SECRET.name,
          creationPolicy: 'Owner',
          deletionPolicy: 'Retain',
          template: {
            engineVersion: 'v2',
            data: {
              [DATABASE_URL_SECRET.key]: RDS_DATABASE_URL_TEMPLATE,
              [DATABASE_PASSWORD_SECRET.key]: '{{ .password }}',
            },
          },
        },
        data: keys.map((key) => ({
          secretKey: key,
          remoteRef: { key: props.databaseSecretName, property: key },
        })),
      },
    });
  }
}
