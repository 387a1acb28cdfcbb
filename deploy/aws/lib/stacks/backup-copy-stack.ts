import { backupCopyVaultName, type Stage } from '@conduit/platform';
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface BackupCopyStackProps extends StackProps {
  readonly settings: Stage;
}

/**
 * The disaster-recovery vault in a second region. The data stack's backup plan copies into it by a
 * fixed ARN, so no cross-region reference (and no custom resource) is needed.
 */
export class BackupCopyStack extends Stack {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, props);
    const key = new kms.Key(this, 'CopyKey', {
      alias: `alias/conduit-${props.settings.name}-backup-copy`,
      description: `Conduit ${props.settings.name}: cross-region backup copies`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: backupCopyVaultName(props.settings.name),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
