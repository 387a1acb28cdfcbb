import type { StageName } from '@conduit/platform';
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface BackupCopyStackProps extends StackProps {
  /** The stage whose backups the vault holds (named in the key's description). */
  readonly stage: StageName;
  /** Name of the vault (`backupCopyVaultName`): the data stack's backup plan copies into it by this name. */
  readonly vaultName: string;
  /** Alias of the vault's KMS key (`alias/...`). */
  readonly keyAlias: string;
}

/**
 * The disaster-recovery vault in a second region. The data stack's backup plan copies into it by a
 * fixed ARN, so no cross-region reference (and no custom resource) is needed.
 */
export class BackupCopyStack extends Stack {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, props);
    if (!props.keyAlias.startsWith('alias/')) {
      throw new Error(`BackupCopyStack: keyAlias (${props.keyAlias}) must start with alias/`);
    }
    const key = new kms.Key(this, 'CopyKey', {
      alias: props.keyAlias,
      description: `Conduit ${props.stage}: cross-region backup copies`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
