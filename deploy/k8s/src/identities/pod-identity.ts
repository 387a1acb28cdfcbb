import type { WorkloadIdentity } from './identity.js';

/** The EKS Pod Identity agent every node runs (link-local address, port 80). */
export const POD_IDENTITY_AGENT = '169.254.170.23/32';

/**
 * EKS Pod Identity: deploy/aws associates each role with a namespace and service account name, so nothing
 * here carries the binding, and the External Secrets controller uses its own credentials.
 */
export const podIdentity: WorkloadIdentity = {
  serviceAccountAnnotations: () => undefined,
  secretStoreAuth: () => undefined,
  // The SDK fetches the role's credentials from the agent on its node (link-local, plain HTTP); never IMDS.
  credentialEgress: () => [
    { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [{ protocol: 'TCP', port: 80 }] },
  ],
};
