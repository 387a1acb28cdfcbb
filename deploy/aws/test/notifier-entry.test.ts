import { STAGE_NAMES, STAGES, type StageName, WORKLOADS, type Workload, workload } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConduitStage } from '../lib/conduit-stage.js';
import { resolveEnvironment } from '../lib/environment.js';
import { cdkJsonContext } from './synth.js';

/**
 * The real notifier entry, proved on the cluster stacks of every stage: synthesized with the model's workloads
 * and with the entry taken out. Its Pod Identity role appears in dev only, holding exactly the entry's
 * statements. (Its ECR repository is in every account, as every image's is: images are promoted by copying
 * them from account to account; test/workload-fixture.test.ts covers the repository.)
 */
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function cluster(stage: StageName, workloads: readonly Workload[]): Resources {
  const app = new App({ context: cdkJsonContext() });
  const settings = STAGES[stage];
  const s = new ConduitStage(app, stage, {
    settings,
    environment: resolveEnvironment(app.node, settings),
    workloads,
  });
  return (Template.fromStack(s.cluster).toJSON() as { Resources: Resources }).Resources;
}

const NOTIFIER = workload('notifier');
const others = WORKLOADS.filter((w) => w !== NOTIFIER);

describe.each(STAGE_NAMES)('the notifier entry in %s', (stage) => {
  const after = cluster(stage, WORKLOADS);
  const before = cluster(stage, others);
  const added = Object.entries(after).filter(([id]) => !(id in before));

  it(
    stage === 'dev' ? 'adds its own Pod Identity role with the SES statement, nothing else' : 'adds nothing',
    () => {
      if (stage !== 'dev') {
        expect(added).toEqual([]);
      } else {
        expect(added.map(([, r]) => r.Type).sort()).toEqual([
          'AWS::EKS::PodIdentityAssociation',
          'AWS::IAM::Policy',
          'AWS::IAM::Role',
        ]);
        const association = added.find(([, r]) => r.Type === 'AWS::EKS::PodIdentityAssociation')![1];
        expect(association.Properties).toMatchObject({ Namespace: 'conduit', ServiceAccount: 'notifier' });
        const policy = added.find(([, r]) => r.Type === 'AWS::IAM::Policy')![1];
        const { account, region } = STAGES.dev;
        expect((policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement).toEqual(
          NOTIFIER.aws!.statements.map((s) => ({
            Effect: 'Allow',
            Action: s.actions.length === 1 ? s.actions[0] : s.actions,
            Resource: s.resources[0]!.replace('{region}', region).replace('{account}', account),
          })),
        );
      }
      for (const [id, resource] of Object.entries(before)) expect(after[id], id).toEqual(resource);
    },
  );
});
