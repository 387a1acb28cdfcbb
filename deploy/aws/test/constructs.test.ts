import { App, Stack } from 'aws-cdk-lib';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import { describe, expect, it } from 'vitest';
import { ArgoCdBootstrap, type ArgoCdBootstrapProps } from '../lib/constructs/argocd-bootstrap.js';

// Validation runs before a construct touches the cluster, so these need no real one.
const cluster = {} as eks.ICluster;

describe('ArgoCdBootstrap props', () => {
  const props: ArgoCdBootstrapProps = {
    cluster,
    applicationName: 'conduit-dev',
    repoUrl: 'https://github.com/conduit-platform/conduit.git',
    targetRevision: 'main',
    path: 'deploy/k8s/dist/dev',
    tolerations: [],
    nodeSelector: {},
    after: [],
  };
  const build = (overrides: Partial<ArgoCdBootstrapProps>) =>
    new ArgoCdBootstrap(new Stack(new App(), 'S'), 'ArgoCd', { ...props, ...overrides });

  it('rejects a repository Argo CD cannot clone over HTTPS, naming the field', () => {
    expect(() => build({ repoUrl: 'git@github.com:conduit-platform/conduit.git' })).toThrow(
      'ArgoCdBootstrap: repoUrl (git@github.com:conduit-platform/conduit.git) must be an https URL ending in .git',
    );
  });

  it('rejects an empty application name, revision or path, naming the field', () => {
    expect(() => build({ path: ' ' })).toThrow('ArgoCdBootstrap: path must not be empty');
    expect(() => build({ targetRevision: '' })).toThrow('ArgoCdBootstrap: targetRevision must not be empty');
  });
});
