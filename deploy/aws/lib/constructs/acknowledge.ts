import { Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Acknowledges cdk-nag's finding on an AWS managed policy that AWS maintains together with `what`. */
export function acknowledgeManagedPolicy(role: Construct, name: string, what: string): void {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
    reason: `AWS maintains this policy together with the ${what}; copying it would drift.`,
  });
}

/** Acknowledges cdk-nag's wildcard findings, each `[finding, reason]`. */
export function acknowledgeWildcards(scope: Construct, findings: [string, string][]): void {
  for (const [finding, reason] of findings) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
