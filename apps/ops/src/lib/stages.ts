import { usageError } from './errors.js';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export const TIERS = ['api', 'web'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * Every name the CLI uses to find a stage's resources. deploy/aws and deploy/k8s create them under the same
 * names; keep the three in step (docs/operations.md lists them).
 */
export interface StageFacts {
  readonly stage: Stage;
  readonly region: string;
  /** EKS cluster and the kube context that must point at it. */
  readonly clusterName: string;
  readonly namespace: string;
  /** Rollout, HPA, PDB and Service share the tier name. */
  readonly tiers: readonly Tier[];
  /** Label that selects a tier's pods. */
  readonly podSelector: (tier: Tier) => string;
  readonly ingressName: string;
  /** RDS instance identifier; manual snapshots are named `<dbInstanceId>-<time>`. */
  readonly dbInstanceId: string;
  /** S3 bucket for logical dumps; the account id makes the name globally unique. */
  readonly backupBucket: (account: string) => string;
  /** Key prefix of the logical dumps inside the bucket. */
  readonly dumpPrefix: string;
  /** Days a snapshot or dump is kept before `backup run` prunes it. */
  readonly retentionDays: number;
  /** The migrate Job template lives in this CronJob-less Job name prefix. */
  readonly migrateJobName: string;
  /** Lowest replica count `scale` accepts: prod keeps two so a PDB can allow a disruption. */
  readonly minReplicas: number;
}

// Same as deploy/aws (lib/stages.ts `backup.retentionDays`): the bucket's lifecycle and, in prod, its object
// lock use these days, so pruning earlier would fight the lock and pruning later would find nothing.
const RETENTION: Record<Stage, number> = { dev: 14, staging: 30, prod: 35 };

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

export function stageFacts(stage: string, env: NodeJS.ProcessEnv = process.env): StageFacts {
  if (!isStage(stage)) {
    throw usageError(`unknown stage "${stage}" (expected one of ${STAGES.join(', ')})`);
  }
  return {
    stage,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    clusterName: `conduit-${stage}`,
    namespace: 'conduit',
    tiers: TIERS,
    podSelector: (tier) => `app.kubernetes.io/name=${tier},app.kubernetes.io/part-of=conduit`,
    ingressName: 'conduit',
    dbInstanceId: `conduit-${stage}`,
    backupBucket: (account) => `conduit-${stage}-backups-${account}`,
    dumpPrefix: `logical/${stage}/`,
    retentionDays: RETENTION[stage],
    migrateJobName: 'api-migrate',
    minReplicas: stage === 'prod' ? 2 : 1,
  };
}

export function parseTier(value: string): Tier {
  if (!isTier(value)) throw usageError(`unknown tier "${value}" (expected one of ${TIERS.join(', ')})`);
  return value;
}
