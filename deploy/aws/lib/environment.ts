import type { Stage } from '@conduit/platform';

/**
 * Where a stage is deployed: its account and region come from the platform model, its availability zones
 * from cdk.json's context cache, so synth never looks anything up.
 */
export interface StageEnvironment {
  readonly account: string;
  readonly region: string;
  readonly availabilityZones: readonly string[];
  /** Region of the disaster-recovery backup vault, when the stage copies backups across regions. */
  readonly backupCopyRegion?: string;
}

export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/** The stage's environment; a missing or short zone list names the context key to fill. */
export function resolveEnvironment(context: ContextReader, stage: Stage): StageEnvironment {
  const { account, region, backupCopyRegion } = stage;
  const availabilityZones = readAzs(context, account, region);
  if (availabilityZones.length < stage.network.azCount) {
    throw new Error(
      `context "availability-zones:account=${account}:region=${region}" lists ${availabilityZones.length} zones; network.azCount needs ${stage.network.azCount}`,
    );
  }
  return {
    account,
    region,
    availabilityZones: availabilityZones.slice(0, stage.network.azCount),
    ...(backupCopyRegion ? { backupCopyRegion } : {}),
  };
}

function readAzs(context: ContextReader, account: string, region: string): string[] {
  const key = `availability-zones:account=${account}:region=${region}`;
  const azs = context.tryGetContext(key);
  if (!Array.isArray(azs) || azs.some((az) => typeof az !== 'string' || !az.startsWith(region))) {
    throw new Error(`cdk.json context "${key}" must list the region's zones: synth never looks them up`);
  }
  return azs as string[];
}
