import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { BASELINE_FILE, collectStateful, diffStateful, type StatefulBaseline } from './stateful.js';
import { PACKAGE_DIR } from './synth.js';

const HOW_TO_UPDATE = `
A stateful resource (VPC, subnet, zone, cluster, database, bucket, repository, key, secret, vault) would be
replaced or deleted. If that is NOT intended, revert the change (keep logical ids stable; use
\`overrideLogicalId\` after a refactor). If it IS intended and the data has a migration plan, accept it:
  npm run baseline -w @conduit/aws
and commit ${BASELINE_FILE} with the reason in the commit message.`;

describe('replacement guard', () => {
  const baseline = JSON.parse(readFileSync(join(PACKAGE_DIR, BASELINE_FILE), 'utf8')) as StatefulBaseline;
  const current = collectStateful(inject('synth').outdir);

  it('covers the stateful resources of every stage', () => {
    const types = (stack: string) => Object.values(baseline[stack] ?? {}).map((e) => e.type);
    for (const stage of ['dev', 'staging', 'prod']) {
      expect(types(`${stage}/Network`)).toContain('AWS::EC2::VPC');
      expect(types(`${stage}/Cluster`)).toContain('AWS::EKS::Cluster');
      expect(types(`${stage}/Data`)).toEqual(
        expect.arrayContaining([
          'AWS::RDS::DBInstance',
          'AWS::S3::Bucket',
          'AWS::ECR::Repository',
          'AWS::KMS::Key',
        ]),
      );
    }
  });

  it('finds no replaced, removed or unguarded stateful resource against the committed baseline', () => {
    const problems = diffStateful(baseline, current);
    expect(problems, `${problems.join('\n')}\n${HOW_TO_UPDATE}`).toEqual([]);
  });

  it('detects a changed replacement property and a changed logical id', () => {
    const mutated = structuredClone(current);
    const data = mutated['prod/Data']!;
    const dbId = Object.keys(data).find((id) => data[id]!.type === 'AWS::RDS::DBInstance')!;
    data[dbId]!.properties.DBName = 'renamed';
    const vpcId = Object.keys(mutated['prod/Network']!).find(
      (id) => mutated['prod/Network']![id]!.type === 'AWS::EC2::VPC',
    )!;
    mutated['prod/Network']![`${vpcId}Renamed`] = mutated['prod/Network']![vpcId]!;
    delete mutated['prod/Network']![vpcId];
    const problems = diffStateful(current, mutated);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`prod/Data ${dbId} \\(AWS::RDS::DBInstance\\) DBName: .* -> "renamed"`),
        ),
        expect.stringMatching(new RegExp(`prod/Network ${vpcId} \\(AWS::EC2::VPC\\) is gone`)),
        expect.stringMatching(/is new and not in the baseline/),
      ]),
    );
  });
});
