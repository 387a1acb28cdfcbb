import { describe, expect, it } from 'vitest';
import {
  CI_ROLES,
  ciRoleName,
  ciRoleSubjects,
  ciRolesOf,
  ciRoleVariable,
  GITHUB_REPOSITORY_SLUG,
} from './ci.js';
import { STAGE_NAMES, STAGES } from './stages.js';

describe('CI roles', () => {
  it('bind every role that changes a stage to that stage’s GitHub environment', () => {
    for (const stage of STAGE_NAMES) {
      for (const id of ['imagePush', 'deploy', 'observer'] as const) {
        expect(ciRoleSubjects(stage, id)).toEqual([`repo:${GITHUB_REPOSITORY_SLUG}:environment:${stage}`]);
      }
    }
  });

  it('let pull requests use only the diff role, and a promotion pull from the stage before the target', () => {
    const prRoles = CI_ROLES.filter((r) =>
      ciRoleSubjects('prod', r.id).some((s) => s.endsWith(':pull_request')),
    );
    expect(prRoles.map((r) => r.id)).toEqual(['diff']);
    expect(ciRoleSubjects('dev', 'ecrPull')).toEqual([`repo:${GITHUB_REPOSITORY_SLUG}:environment:staging`]);
    // Nothing is promoted out of the last stage, so it gets no pull role at all.
    expect(ciRolesOf('prod').map((r) => r.id)).not.toContain('ecrPull');
  });

  it('create no cluster viewer for a stage whose EKS endpoint a GitHub-hosted runner cannot reach', () => {
    for (const stage of STAGE_NAMES) {
      const viewer = ciRolesOf(stage).some((r) => r.clusterViewer);
      expect(viewer, stage).toBe(STAGES[stage].cluster.endpointAccess !== 'private');
    }
  });

  it('name roles and variables per stage where the variable is a repository one', () => {
    expect(ciRoleName('staging', 'observer')).toBe('conduit-staging-github-observer');
    expect(ciRoleVariable('staging', 'diff')).toBe('AWS_DIFF_ROLE_ARN_staging');
    expect(ciRoleVariable('staging', 'deploy')).toBe('AWS_DEPLOY_ROLE_ARN');
  });
});
