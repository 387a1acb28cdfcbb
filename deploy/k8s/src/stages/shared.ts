import { OTLP_ENDPOINT } from '../observability.js';
import type { RouterSettings, SecretSettings, StageName, StageSettings } from '../settings.js';

/** Settings every stage shares unless it says otherwise. */
export const common = {
  namespace: 'conduit',
  gitRepo: 'https://github.com/conduit-platform/conduit.git',
  gitRevision: 'main',
  scrapeIntervalSeconds: 15,
  prometheus: {
    namespace: 'monitoring',
    podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  },
} satisfies Partial<StageSettings>;

/** deploy/aws keeps every stage in us-east-1 (CloudFront certificates and WAF live there). */
export const AWS_REGION = 'us-east-1';
/** deploy/aws network stack: the VPC of every stage, where the ALB's ENIs live. */
export const VPC_CIDR = '10.0.0.0/16';

/**
 * What every stage on the EKS cluster deploy/aws creates shares: the router is the ALB that CloudFront
 * reaches as `origin.<domain>`, secrets come from Secrets Manager through External Secrets with Pod
 * Identity, traces go to the ADOT collector. The names follow deploy/aws/lib/names.ts.
 */
export function awsStage(name: StageName, domainName: string) {
  const router: RouterSettings = {
    kind: 'alb',
    deregistrationDelaySeconds: 20,
    canaryServices: 'pingPong',
    sourceCidrs: [VPC_CIDR],
  };
  const secrets: SecretSettings = {
    kind: 'external-secrets',
    region: AWS_REGION,
    identity: { kind: 'pod-identity' },
    jwtSecretName: `conduit/${name}/jwt`,
  };
  return {
    ...common,
    name,
    host: `origin.${domainName}`,
    router,
    secrets,
    otlpEndpoint: OTLP_ENDPOINT,
  } satisfies Partial<StageSettings>;
}
