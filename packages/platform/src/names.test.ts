import { describe, expect, it } from 'vitest';
import {
  argoApplicationNames,
  backupBucketName,
  clusterName,
  containerLogGroupName,
  databaseIdentifier,
  databaseSecretName,
  ecrRepositoryName,
  imageRepository,
  jwtSecretName,
  runbookUrl,
} from './names.js';
import { stage } from './stages.js';

describe('names', () => {
  it('are built from the stage, as the running resources are named today', () => {
    const prod = stage('prod');
    expect(clusterName('prod')).toBe('conduit-prod');
    expect(databaseIdentifier('staging')).toBe('conduit-staging');
    expect(jwtSecretName('dev')).toBe('conduit/dev/jwt');
    expect(databaseSecretName('dev')).toBe('conduit/dev/db');
    expect(containerLogGroupName('prod')).toBe('/conduit/prod/containers');
    expect(backupBucketName(prod)).toBe('conduit-prod-backups-333333333333');
    expect(argoApplicationNames.root('dev')).toBe('conduit-dev-root');
    expect(argoApplicationNames.addOn('dev', 'karpenter')).toBe('dev-karpenter');
    expect(ecrRepositoryName('api')).toBe('conduit/api');
    expect(imageRepository(prod, 'web')).toBe('333333333333.dkr.ecr.us-east-1.amazonaws.com/conduit/web');
    expect(runbookUrl('PodNotReady')).toBe(
      'https://github.com/conduit-platform/conduit/blob/main/docs/runbooks/PodNotReady.md',
    );
  });
});
