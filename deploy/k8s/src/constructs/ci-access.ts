import { CI_ROLLOUTS_READ } from '@conduit/platform';
import { Construct } from 'constructs';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { manifest, PART_OF } from './object.js';

export const CI_ROLLOUTS_ROLE = 'ci-rollouts-read';

export interface CiAccessProps {
  /** The app namespace, whose Rollouts the CI jobs wait on. */
  readonly namespace: string;
  /**
   * The Kubernetes groups the CI roles' EKS access entries put them in (the model's `kubernetesGroup`).
   * @default none: no objects
   */
  readonly groups?: readonly string[];
}

/**
 * Read access to the app namespace's Rollouts for the CI roles' groups. Their EKS access entries carry the
 * view policy, which covers built-in kinds only; without this, `kubectl get rollout` in the release and
 * promote jobs is forbidden and every verification fails.
 */
export class CiAccess extends Construct {
  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    const groups = props.groups ?? [];
    if (groups.length === 0) return;
    for (const group of groups) {
      if (group === '' || group.startsWith('system:')) {
        throw new Error(
          `CiAccess: group "${group}" must be non-empty and outside the reserved system: prefix`,
        );
      }
    }
    const metadata = {
      name: CI_ROLLOUTS_ROLE,
      namespace: props.namespace,
      labels: { 'app.kubernetes.io/part-of': PART_OF },
    };
    manifest<IRole>(this, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [
        {
          apiGroups: [CI_ROLLOUTS_READ.apiGroup],
          resources: [...CI_ROLLOUTS_READ.resources],
          verbs: [...CI_ROLLOUTS_READ.verbs],
        },
      ],
    });
    manifest<IRoleBinding>(this, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CI_ROLLOUTS_ROLE },
      subjects: groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    });
  }
}
