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
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * An IAM role that only EKS Pod Identity can assume, bound to one Kubernetes service account. The
 * service account itself is created by whoever installs the workload (deploy/k8s or a Helm chart).
 */
export class PodIdentityRole extends Construct {
  readonly role: iam.Role;
  readonly association: eks.CfnPodIdentityAssociation;

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
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
      description: `EKS Pod Identity for ${props.namespace}/${props.serviceAccount}`,
      managedPolicies: (props.managedPolicyNames ?? []).map((n) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(n),
      ),
    });
    if (props.statements?.length) {
      // An inline policy keeps the permissions next to the role in the template and in reviews.
      this.role.attachInlinePolicy(new iam.Policy(this, 'Policy', { statements: props.statements }));
    }
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}
