/**
 * The optional modules of a stage: each field of `StageOptions` picks one value, and every value is a unit
 * with a purpose, a list of what it changes, and at least one scenario (scenarios.ts) that CI renders.
 * The first value of each field is the one the real stages run.
 */
export const OPTION_VALUES = {
  router: ['alb', 'nginx'],
  database: ['rds'],
  secretStore: ['external-secrets'],
  workloadIdentity: ['pod-identity', 'irsa'],
} as const;

export type OptionField = keyof typeof OPTION_VALUES;

/** Which optional modules a stage runs: one value per field, each documented in `OPTION_DOCS`. */
export type StageOptions = { readonly [F in OptionField]: (typeof OPTION_VALUES)[F][number] };

export interface OptionDoc {
  /** What a user picks it for. */
  readonly purpose: string;
  /** What it changes in the rendered manifests and the AWS stacks. */
  readonly changes: string;
}

/** What each option value is for and what it changes; deploy/k8s/README.md's options table is generated from it. */
export const OPTION_DOCS: { readonly [F in OptionField]: Record<StageOptions[F], OptionDoc> } = {
  router: {
    alb: {
      purpose:
        'The AWS Load Balancer Controller provisions an ALB for the Ingress; canary weights are ALB forward actions.',
      changes:
        'One Ingress (class `alb`, target type ip, HTTPS listener only, deregistration 20 s) behind deploy/aws’s origin security group (443 from CloudFront’s origin-facing prefix list only), ping/pong Services per HTTP workload, ALB readiness gates on the namespace, the public subnets (where the ALB and its health checks come from) admitted by the network policies on the container port only, `--aws-verify-target-group` on Argo Rollouts.',
    },
    nginx: {
      purpose:
        'ingress-nginx behind an NLB instead of an ALB (the router that also runs off AWS); canary weights are NGINX canary Ingresses.',
      changes:
        'One Ingress per HTTP workload (class `nginx`, TLS from cert-manager through Let’s Encrypt HTTP-01), stable/canary Services, the `X-Canary: always` header as a canary annotation, the controller pods (in their namespace) admitted by the network policies, the ingress-nginx (NLB through the Load Balancer Controller, with deploy/aws’s origin security group) and cert-manager add-ons plus the `letsencrypt` ClusterIssuer. deploy/aws’s origin security group also admits port 80 from anywhere, for the ACME HTTP-01 challenges (every other port-80 request is redirected to HTTPS, which admits CloudFront only).',
    },
  },
  database: {
    rds: {
      purpose: 'PostgreSQL 17 on RDS, created, rotated and backed up by deploy/aws.',
      changes:
        'An ExternalSecret building `DATABASE_URL` and the `password` file the pods read on each new connection (so a rotation needs no restart) from `conduit/<stage>/db`; egress to the database subnets on the RDS port only.',
    },
  },
  secretStore: {
    'external-secrets': {
      purpose: 'Secrets come from AWS Secrets Manager through External Secrets Operator.',
      changes:
        'The `aws-secrets-manager` ClusterSecretStore, ExternalSecrets for the JWT key, the database URL, Grafana and Alertmanager, the external-secrets add-on.',
    },
  },
  workloadIdentity: {
    'pod-identity': {
      purpose: 'Pods get AWS credentials through EKS Pod Identity associations; no annotation anywhere.',
      changes: 'deploy/aws creates one role and one Pod Identity association per service account.',
    },
    irsa: {
      purpose:
        'The fallback where the Pod Identity agent cannot run (older or self-managed control planes, Fargate): roles trust the cluster’s OIDC provider.',
      changes:
        'deploy/aws names each role `conduit-<stage>-<namespace>-<service account>`, trusts the OIDC subject of that one service account, creates no associations and outputs `<Role>RoleArn`; deploy/k8s annotates each service account it renders (or sets in Helm values) with `eks.amazonaws.com/role-arn` of that name, and the ClusterSecretStore authenticates with the controller’s token.',
    },
  },
};
