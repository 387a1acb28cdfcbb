import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/** Our images, one per tier: `apps/<tier>/Dockerfile` builds `conduit/<tier>`. */
export const IMAGE_TIERS = ['api', 'web', 'ops'] as const;
export type ImageTier = (typeof IMAGE_TIERS)[number];

/**
 * The numeric USER of each image's Dockerfile (a name cannot be checked by the kubelet). The pods run as the
 * same ids, so files the image owns stay readable and a test compares both sides.
 */
export const IMAGE_USERS: Readonly<Record<ImageTier, { readonly uid: number; readonly gid: number }>> = {
  // distroless `nonroot`
  api: { uid: 65532, gid: 65532 },
  // nginx-unprivileged's `nginx`
  web: { uid: 101, gid: 101 },
  // node:24-bookworm-slim's `node`
  ops: { uid: 1000, gid: 1000 },
};

export function podSecurityContext(image: ImageTier): IPodSecurityContext {
  const { uid, gid } = IMAGE_USERS[image];
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** What Pod Security `restricted` demands, plus a read-only root filesystem. */
export function restrictedContainerSecurityContext(): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
