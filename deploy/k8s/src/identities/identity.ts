import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

export type EgressRule = NonNullable<NonNullable<INetworkPolicy['spec']>['egress']>[number];

/** A Kubernetes service account, as the platform model names it. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * How pods get AWS credentials, one module per way (`pod-identity.ts`, `irsa.ts`); constructs and add-on
 * values ask the stage's identity (`identityOf`) and never branch on its kind.
 */
export interface WorkloadIdentity {
  /** Annotations of a service account that calls AWS (none when the binding lives in AWS alone). */
  serviceAccountAnnotations(account: ServiceAccountRef): Record<string, string> | undefined;
  /**
   * `auth` of the Secrets Manager provider in the ClusterSecretStore.
   * @returns undefined when the controller's own credentials are used
   */
  secretStoreAuth(controller: ServiceAccountRef): Record<string, unknown> | undefined;
  /**
   * Egress a pod that calls AWS needs to obtain its credentials, beyond HTTPS to the AWS APIs.
   * @returns no rule when the credentials come from an AWS API over HTTPS (STS)
   */
  credentialEgress(): EgressRule[];
}
