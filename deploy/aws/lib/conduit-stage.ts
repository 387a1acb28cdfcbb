import {
  backupBucketName,
  backupCopyVaultName,
  clusterName,
  images,
  originSecurityGroupName,
  type StackId,
  type Stage,
  stackName,
  WORKLOADS,
  type Workload,
  workloadsIn,
} from '@conduit/platform';
import * as cdk from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageEnvironment } from './environment.js';
import { BackupCopyStack } from './stacks/backup-copy-stack.js';
import { CiIdentityStack } from './stacks/ci-identity-stack.js';
import { ClusterStack } from './stacks/cluster-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { EdgeStack } from './stacks/edge-stack.js';
import { NetworkStack } from './stacks/network-stack.js';

export interface ConduitStageProps extends cdk.StageProps {
  readonly settings: Stage;
  /** The platform's workloads (their images get repositories, AWS callers a role). @default WORKLOADS */
  readonly workloads?: readonly Workload[];
  readonly environment: StageEnvironment;
}

/**
 * One environment. Stacks are split by lifecycle: the network outlives everything, data outlives any
 * cluster, the cluster can be rebuilt, the edge changes with the product, CI identity with the repo.
 */
export class ConduitStage extends cdk.Stage {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly cluster: ClusterStack;
  readonly edge: EdgeStack;
  readonly ciIdentity: CiIdentityStack;
  readonly backupCopy?: BackupCopyStack;

  constructor(scope: Construct, id: string, props: ConduitStageProps) {
    super(scope, id, props);
    const { settings, environment } = props;
    const workloads = props.workloads ?? WORKLOADS;
    const env = { account: environment.account, region: environment.region };
    const name = (id: StackId) => stackName(settings.name, id);

    this.network = new NetworkStack(this, 'Network', {
      stackName: name('Network'),
      env,
      network: settings.network,
      clusterName: clusterName(settings.name),
      region: settings.region,
      originSecurityGroupName: originSecurityGroupName(settings.name),
      router: settings.options.router,
      domainName: settings.edge.domainName,
      availabilityZones: environment.availabilityZones,
    });
    if (environment.backupCopyRegion) {
      this.backupCopy = new BackupCopyStack(this, 'BackupCopy', {
        stackName: name('BackupCopy'),
        env: { account: environment.account, region: environment.backupCopyRegion },
        stage: settings.name,
        vaultName: backupCopyVaultName(settings.name),
        keyAlias: `alias/conduit-${settings.name}-backup-copy`,
      });
    }
    this.data = new DataStack(this, 'Data', {
      stackName: name('Data'),
      env,
      stage: settings.name,
      database: settings.database,
      backup: settings.backup,
      backupBucketName: backupBucketName(settings),
      ...(environment.backupCopyRegion ? { backupCopyRegion: environment.backupCopyRegion } : {}),
      vpc: this.network.vpc,
      dbClientSecurityGroup: this.network.dbClientSecurityGroup,
      images: images(workloads),
    });
    if (this.backupCopy) this.data.addStackDependency(this.backupCopy, 'backup plan copies into its vault');
    this.cluster = new ClusterStack(this, 'Cluster', {
      stackName: name('Cluster'),
      env,
      stage: settings.name,
      clusterName: clusterName(settings.name),
      cluster: settings.cluster,
      workloadIdentity: settings.options.workloadIdentity,
      gitops: settings.gitops,
      vpc: this.network.vpc,
      dbClientSecurityGroup: this.network.dbClientSecurityGroup,
      zone: this.network.zone,
      database: this.data.database,
      dataKey: this.data.key,
      backupBucketName: backupBucketName(settings),
      workloads,
    });
    this.edge = new EdgeStack(this, 'Edge', {
      stackName: name('Edge'),
      env,
      stage: settings.name,
      edge: settings.edge,
      workloads: workloadsIn(settings.name, workloads).map(({ workload }) => workload),
      zone: this.network.zone,
    });
    this.ciIdentity = new CiIdentityStack(this, 'CiIdentity', {
      stackName: name('CiIdentity'),
      env,
      stage: settings.name,
      clusterName: clusterName(settings.name),
      repositories: this.data.repositories,
      deployRegions: [
        environment.region,
        ...(environment.backupCopyRegion ? [environment.backupCopyRegion] : []),
      ],
    });

    // EKS refuses an access entry for a role that does not exist yet: the CI observer role comes first.
    this.cluster.addStackDependency(this.ciIdentity, 'access entry of the CI observer role');

    cdk.Tags.of(this).add('project', 'conduit');
    cdk.Tags.of(this).add('stage', settings.name);
  }
}
