import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, inject, it } from 'vitest';
import { addConduitStages } from '../lib/app.js';
import { PodIdentityRole } from '../lib/constructs/pod-identity-role.js';
import { type ContextReader, resolveEnvironment, STAGES } from '../lib/stages.js';
import { cdkJsonContext } from './synth.js';

const context = (overrides: Record<string, unknown>): ContextReader => {
  const values = { ...cdkJsonContext(), ...overrides };
  return { tryGetContext: (key) => values[key] };
};
const environments = cdkJsonContext()['conduit:environments'] as Record<string, Record<string, unknown>>;

describe('stage settings', () => {
  it('puts 2 AZs in dev and 3 elsewhere; one NAT per AZ only in prod', () => {
    expect(resolveEnvironment(context({}), STAGES.dev).availabilityZones).toEqual([
      'us-east-1a',
      'us-east-1b',
    ]);
    expect(resolveEnvironment(context({}), STAGES.prod).availabilityZones).toHaveLength(3);
    expect(STAGES.prod.network.natGateways).toBe(3);
    expect(STAGES.dev.network.natGateways).toBe(1);
    expect(resolveEnvironment(context({}), STAGES.prod).backupCopyRegion).toBe('us-west-2');
  });

  it('keeps the prod endpoint private, Multi-AZ, protected and with 14+ days of backups', () => {
    expect(STAGES.prod.cluster.endpointAccess).toBe('private');
    expect(STAGES.prod.database).toMatchObject({ multiAz: true, protect: true });
    expect(STAGES.prod.database.backupRetentionDays).toBeGreaterThanOrEqual(14);
    expect(Object.values(STAGES).every((s) => s.database.engine === 'instance')).toBe(true);
  });

  it('rejects an account that is not 12 digits, naming the context key', () => {
    const bad = { ...environments, dev: { ...environments.dev, account: '123' } };
    expect(() => resolveEnvironment(context({ 'conduit:environments': bad }), STAGES.dev)).toThrow(
      'conduit:environments.dev.account must be a 12-digit AWS account id',
    );
  });

  it('rejects a region other than us-east-1 (CloudFront certificates and WAF)', () => {
    const bad = { ...environments, staging: { ...environments.staging, region: 'eu-west-1' } };
    expect(() => resolveEnvironment(context({ 'conduit:environments': bad }), STAGES.staging)).toThrow(
      /conduit:environments.staging.region must be us-east-1/,
    );
  });

  it('refuses to synthesize without the availability zones in context (no lookups)', () => {
    expect(() =>
      resolveEnvironment(
        context({ 'availability-zones:account=111111111111:region=us-east-1': undefined }),
        STAGES.dev,
      ),
    ).toThrow(
      'cdk.json context "availability-zones:account=111111111111:region=us-east-1" must list the region\'s zones',
    );
  });

  it('requires a distinct backup copy region when cross-region copy is on', () => {
    const bad = { ...environments, prod: { ...environments.prod, backupCopyRegion: 'us-east-1' } };
    expect(() => resolveEnvironment(context({ 'conduit:environments': bad }), STAGES.prod)).toThrow(
      /conduit:environments.prod.backupCopyRegion must name a region other than us-east-1/,
    );
  });

  it('rejects an unknown stage in the "stages" context', () => {
    const app = new App({ context: { ...cdkJsonContext(), stages: 'dev,qa' } });
    expect(() => addConduitStages(app)).toThrow(
      'context "stages" lists "qa"; known stages: dev, staging, prod',
    );
  });

  it('rejects a Pod Identity binding to an invalid namespace', () => {
    const app = new App({ context: cdkJsonContext() });
    const { dev } = addConduitStages(app, ['dev']);
    expect(
      () =>
        new PodIdentityRole(dev!.cluster, 'Bad', {
          cluster: dev!.cluster.cluster,
          namespace: 'Not_A_Label',
          serviceAccount: 'x',
          managedPolicyNames: ['ReadOnlyAccess'],
        }),
    ).toThrow('namespace "Not_A_Label" must be a DNS-1123 label');
  });
});

describe('deterministic synthesis', () => {
  it('renders byte-identical dev templates on a second synthesis', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'conduit-aws-again-'));
    try {
      const app = new App({ outdir, context: { ...cdkJsonContext(), '@aws-cdk/core:appMode': 'inmemory' } });
      addConduitStages(app, ['dev']);
      app.synth();
      const first = join(inject('synth').outdir, 'assembly-dev');
      const second = join(outdir, 'assembly-dev');
      const templates = readdirSync(second).filter((f) => f.endsWith('.template.json'));
      expect(templates).toHaveLength(5);
      for (const file of templates) {
        expect(readFileSync(join(second, file), 'utf8'), file).toBe(readFileSync(join(first, file), 'utf8'));
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
