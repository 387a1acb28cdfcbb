import type { WorkloadIdentity } from './identity.js';

/**
 * EKS Pod Identity: deploy/aws associates each role with a namespace and service account name, so nothing
 * here carries the binding, and the External Secrets controller uses its own credentials.
 */
export const podIdentity: WorkloadIdentity = {
  serviceAccountAnnotations: () => undefined,
  secretStoreAuth: () => undefined,
};
