import { APP_NAMESPACE, ciRolesOf } from '@conduit/platform';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CI_ROLLOUTS_ROLE, CiAccess } from './constructs/ci-access.js';
import { find, one, renderedCases } from './test/objects.js';

describe('CI read access to Rollouts (the group of the CI roles that wait on them)', () => {
  const cases = renderedCases();

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: binds exactly the model groups of its stage',
    (_, c) => {
      const groups = ciRolesOf(c.settings.name).flatMap((r) =>
        r.kubernetesGroup ? [r.kubernetesGroup] : [],
      );
      if (groups.length === 0) {
        // prod: no CI job reads its cluster, so no group gets anything there.
        expect(find(c.dirs.platform, 'RoleBinding', CI_ROLLOUTS_ROLE)).toEqual([]);
        return;
      }
      const role = one(c.dirs.platform, 'Role', CI_ROLLOUTS_ROLE) as {
        rules?: unknown;
        metadata: { namespace?: string };
      };
      expect(role.metadata.namespace).toBe(APP_NAMESPACE);
      expect(role.rules).toEqual([
        { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list', 'watch'] },
      ]);
      const binding = one(c.dirs.platform, 'RoleBinding', CI_ROLLOUTS_ROLE) as {
        roleRef?: unknown;
        subjects?: unknown;
      };
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: CI_ROLLOUTS_ROLE,
      });
      expect(binding.subjects).toEqual(
        groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
      );
    },
  );

  it('refuses a reserved or empty group, naming it', () => {
    for (const group of ['system:masters', '']) {
      expect(
        () => new CiAccess(new Chart(Testing.app(), 'c'), 'ci', { namespace: 'conduit', groups: [group] }),
      ).toThrow(`CiAccess: group "${group}" must be non-empty and outside the reserved system: prefix`);
    }
  });
});
