import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, inject, it } from 'vitest';

interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
}

describe('cdk-nag AwsSolutions', () => {
  const synth = inject('synth');

  it('synthesizes every stage without an unacknowledged finding', () => {
    expect(synth.validationError).toBeNull();
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as Report;
    const nag = report.pluginReports.filter((p) => p.pluginName === 'AwsSolutions');
    expect(nag.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
  });

  it('gives every acknowledgement a reason, at resource scope (never a whole stack or stage)', () => {
    const nagAcks = synth.acknowledgements.filter((a) => a.id.includes('AwsSolutions-'));
    expect(nagAcks.length).toBeGreaterThan(0);
    for (const ack of nagAcks) {
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(20);
      // "<stage>/<Stack>/<construct>": at least one level below the stack.
      expect(ack.path.split('/').length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(3);
    }
    const summary = [
      ...new Set(nagAcks.map((a) => `${a.id.replace(/^.*?(AwsSolutions-)/, '$1')}: ${a.reason}`)),
    ];
    console.log(`[conduit-aws] ${nagAcks.length} acknowledged cdk-nag findings:\n  ${summary.join('\n  ')}`);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const app = new App({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
    const stack = new Stack(app, 'Planted', { env: { account: '111111111111', region: 'us-east-1' } });
    new s3.Bucket(stack, 'NoLogsNoTls');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
