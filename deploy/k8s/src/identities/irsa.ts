import { irsaRoleArn, type StageName } from '@conduit/platform';
import type { ServiceAccountRef, WorkloadIdentity } from './identity.js';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

/**
 * IRSA: the EKS pod identity webhook gives a pod the role its service account is annotated with; deploy/aws
 * names each role with `irsaRoleName`, so the ARN is known before anything is deployed.
 */
export function irsa(stage: { name: StageName; account: string }): WorkloadIdentity {
  return {
    serviceAccountAnnotations: (account: ServiceAccountRef) => ({
      [ROLE_ARN_ANNOTATION]: irsaRoleArn(stage, account),
    }),
    // A web identity token of the annotated controller service account.
    secretStoreAuth: (controller: ServiceAccountRef) => ({
      jwt: { serviceAccountRef: { name: controller.name, namespace: controller.namespace } },
    }),
    // The SDK trades the projected token with STS (AssumeRoleWithWebIdentity) over HTTPS: no extra flow.
    credentialEgress: () => [],
  };
}
