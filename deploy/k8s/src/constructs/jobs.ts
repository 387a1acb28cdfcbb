import {
  CRON_JOBS,
  DISTROLESS_NODE,
  type ImageUser,
  migrateJobName,
  OPS_IMAGE,
  SERVICE_ACCOUNTS,
  type StageName,
  workloadLabels,
} from '@conduit/platform';
import { Construct } from 'constructs';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { WorkloadIdentity } from '../identities/identity.js';
import { DATABASE_PASSWORD_PATH, databasePasswordVolume } from './database-password.js';
import { DATABASE_URL_SECRET } from './database-ref.js';
import { manifest } from './object.js';
import { podSecurityContext, restrictedContainerSecurityContext } from './security.js';

export interface JobsProps {
  /** The stage the ops CLI backs up and drills (`--stage`). */
  readonly stage: StageName;
  /** The app namespace (a DNS label) the Jobs, CronJobs and their ServiceAccounts live in. */
  readonly namespace: string;
  /** The stage's workload identity (`identityOf`): annotates the ops ServiceAccount when it needs to. */
  readonly identity: WorkloadIdentity;
  /**
   * Region the ops CLI calls AWS in (its `AWS_REGION`).
   * @default none: a cluster without AWS, no `AWS_REGION`
   */
  readonly awsRegion?: string;
  /**
   * The workload whose image carries the migrations: its name, its image's user and the reference to run.
   * @default none: no migration hook
   */
  readonly migrations?: { readonly workload: string; readonly user: ImageUser; readonly ref: string };
  /** The reference the backup CronJobs run (the ops image, pinned). */
  readonly opsImage: string;
  /** Name of the API's `DATABASE_URL` variable, from the API's config keys. */
  readonly databaseUrlKey: string;
  /**
   * Name of the API's `DATABASE_PASSWORD_FILE` variable: the migration hook mounts the password like the
   * API pods do. The ops CronJobs keep `DATABASE_URL` alone: each run is a new pod that reads the Secret as
   * it is then, and the ops CLI (pg_dump) takes a URL.
   */
  readonly databasePasswordFileKey: string;
}

/** The backup CronJobs' ServiceAccount: deploy/aws associates its IAM role with it. */
export const OPS_SERVICE_ACCOUNT = SERVICE_ACCOUNTS.opsJobs.name;

const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

function podSpec(
  serviceAccountName: string,
  user: ImageUser,
  container: IPodSpec['containers'][number],
  extra: readonly { readonly volume: IVolume; readonly mount: IVolumeMount }[] = [],
): IPodSpec {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    restartPolicy: 'Never',
    securityContext: podSecurityContext(user),
    enableServiceLinks: false,
    containers: [
      {
        ...container,
        imagePullPolicy: 'IfNotPresent',
        resources,
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...extra.map(({ mount }) => mount)],
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }, ...extra.map(({ volume }) => volume)],
  };
}

/** The migration hooks and the backup CronJobs, with their ServiceAccounts. */
export class Jobs extends Construct {
  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const ns = props.namespace;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) {
      throw new Error(`Jobs: namespace (${ns}) must be a DNS label`);
    }
    if (props.awsRegion !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(props.awsRegion)) {
      throw new Error(`Jobs: awsRegion (${props.awsRegion}) must be an AWS region`);
    }
    for (const [field, ref] of [
      ['opsImage', props.opsImage],
      ['migrations.ref', props.migrations?.ref],
    ] as const) {
      if (ref !== undefined && !/^\S+[:@]\S+$/.test(ref)) {
        throw new Error(`Jobs: ${field} (${ref}) must be an image reference with a tag or digest`);
      }
    }
    const dbUrl: IEnvVar = {
      name: props.databaseUrlKey,
      valueFrom: { secretKeyRef: { ...DATABASE_URL_SECRET } },
    };

    const migration = props.migrations;
    if (migration) {
      const jobName = migrateJobName(migration.workload);
      const migrateLabels = workloadLabels(jobName);
      manifest<IServiceAccount>(this, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: jobName, namespace: ns, labels: migrateLabels },
        automountServiceAccountToken: false,
      });
      manifest<IJob>(this, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: jobName,
          namespace: ns,
          labels: migrateLabels,
          annotations: {
            // Before any new pod exists; the migrator's advisory lock makes a concurrent run wait, not collide.
            'argocd.argoproj.io/hook': 'PreSync',
            'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          },
        },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 600,
          template: {
            metadata: { labels: migrateLabels },
            spec: podSpec(
              jobName,
              migration.user,
              {
                name: 'migrate',
                image: migration.ref,
                // Our Node images are distroless: node lives at /nodejs/bin/node and no PATH lookup exists.
                command: [DISTROLESS_NODE, 'dist/migrate.js'],
                env: [dbUrl, { name: props.databasePasswordFileKey, value: DATABASE_PASSWORD_PATH }],
              },
              [databasePasswordVolume()],
            ),
          },
        },
      });
    }

    const opsLabels = workloadLabels(OPS_IMAGE.image);
    manifest<IServiceAccount>(this, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      // Pod Identity associates an IAM role with this name (deploy/aws); IRSA stages annotate it instead.
      metadata: {
        name: OPS_SERVICE_ACCOUNT,
        namespace: ns,
        labels: opsLabels,
        annotations: props.identity.serviceAccountAnnotations(SERVICE_ACCOUNTS.opsJobs),
      },
      // The AWS SDK reads the projected token that Pod Identity/IRSA mount; nothing talks to the Kubernetes API.
      automountServiceAccountToken: false,
    });
    const cron = (name: string, schedule: string, verb: 'run' | 'drill', deadline: number) =>
      manifest<ICronJob>(this, {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name, namespace: ns, labels: opsLabels },
        spec: {
          schedule,
          timeZone: 'Etc/UTC',
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 1,
              activeDeadlineSeconds: deadline,
              template: {
                metadata: { labels: { ...opsLabels, 'app.kubernetes.io/component': name } },
                spec: podSpec(OPS_SERVICE_ACCOUNT, OPS_IMAGE.user, {
                  name: 'ops',
                  image: props.opsImage,
                  args: ['backup', verb, '--stage', props.stage],
                  env: [dbUrl, ...(props.awsRegion ? [{ name: 'AWS_REGION', value: props.awsRegion }] : [])],
                }),
              },
            },
          },
        },
      });
    cron(CRON_JOBS.backup, '30 3 * * *', 'run', 3600);
    cron(CRON_JOBS.restoreDrill, '0 5 * * 0', 'drill', 7200);
  }
}
