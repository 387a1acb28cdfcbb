import { irsaRoleName, type StageName } from '@conduit/platform';
import { CfnJson, CfnOutput } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface PodIdentityRoleProps {
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the workload may do; scope every statement to our resources where the API allows it. */
  readonly statements?: iam.PolicyStatement[];
  /** AWS managed policies, for add-ons whose policy AWS maintains with the add-on. @default none */
  readonly managedPolicyNames?: string[];
  /**
   * `pod-identity`: an EKS Pod Identity association (no annotation needed). `irsa`: the role trusts the
   * cluster's OIDC provider for this one service account, which must carry the
   * `eks.amazonaws.com/role-arn` annotation.
   * @default 'pod-identity'
   */
  readonly mode?: WorkloadIdentityMode;
  /**
   * A fixed role name, for IRSA: the service account's annotation must name the role before it exists.
   * @default a name CloudFormation generates
   */
  readonly roleName?: string;
}

export type WorkloadIdentityMode = 'pod-identity' | 'irsa';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * An IAM role that only one Kubernetes service account can assume, through EKS Pod Identity or IRSA.
 * The service account itself is created by whoever installs the workload (deploy/k8s or a Helm chart).
 */
export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  /** Present in `pod-identity` mode. */
  readonly association?: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    if (!DNS_LABEL.test(props.namespace)) {
      throw new Error(`namespace "${props.namespace}" must be a DNS-1123 label`);
    }
    if (!DNS_LABEL.test(props.serviceAccount)) {
      throw new Error(`serviceAccount "${props.serviceAccount}" must be a DNS-1123 label`);
    }
    if (!props.statements?.length && !props.managedPolicyNames?.length) {
      throw new Error(`statements or managedPolicyNames must grant something to ${props.serviceAccount}`);
    }
    const mode = props.mode ?? 'pod-identity';
    if (props.roleName !== undefined && !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
      throw new Error(`roleName "${props.roleName}" must be 1-64 letters, digits or +=,.@_- (IAM)`);
    }
    this.role = new iam.Role(this, 'Role', {
      ...(props.roleName ? { roleName: props.roleName } : {}),
      assumedBy:
        mode === 'irsa'
          ? this.irsaPrincipal(props)
          : new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `EKS Pod Identity for ${props.namespace}/${props.serviceAccount}`,
      managedPolicies: (props.managedPolicyNames ?? []).map((n) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(n),
      ),
    });
    if (props.statements?.length) {
      // An inline policy keeps the permissions next to the role in the template and in reviews.
      this.role.attachInlinePolicy(new iam.Policy(this, 'Policy', { statements: props.statements }));
    }
    if (mode === 'pod-identity') {
      this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
        clusterName: props.cluster.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.roleArn,
      });
    }
  }

  private irsaPrincipal(props: PodIdentityRoleProps): iam.IPrincipal {
    const provider = props.cluster.openIdConnectProvider;
    const issuer = provider.openIdConnectProviderIssuer;
    // The issuer is a deploy-time value, so the condition keys must be resolved by CloudFormation.
    const conditions = new CfnJson(this, 'TrustConditions', {
      value: {
        [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    });
    return new iam.OpenIdConnectPrincipal(provider, { StringEquals: conditions });
  }
}

/** How a stage binds roles to service accounts: the mode, and the stage IRSA role names derive from. */
export interface WorkloadIdentity {
  readonly mode: WorkloadIdentityMode;
  readonly stage: StageName;
}

/**
 * A role for one service account in the stage's identity mode, created in `scope`. With IRSA the role gets
 * the model's name (deploy/k8s annotates the service account with it) and its ARN is an output
 * `<id>RoleArn` beside it.
 */
export function workloadRole(
  scope: Construct,
  id: string,
  identity: WorkloadIdentity,
  props: Omit<PodIdentityRoleProps, 'mode' | 'roleName'>,
): PodIdentityRole {
  const irsa = identity.mode === 'irsa';
  const role = new PodIdentityRole(scope, id, {
    ...props,
    mode: identity.mode,
    ...(irsa
      ? { roleName: irsaRoleName(identity.stage, { namespace: props.namespace, name: props.serviceAccount }) }
      : {}),
  });
  if (irsa) new CfnOutput(scope, `${id}RoleArn`, { value: role.role.roleArn });
  return role;
}
