import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGES } from '@conduit/platform';
import { App } from 'aws-cdk-lib';
import { describe, expect, inject, it } from 'vitest';
import { addConduitStages } from '../lib/app.js';
import { PodIdentityRole } from '../lib/constructs/pod-identity-role.js';
import { type ContextReader, resolveEnvironment } from '../lib/environment.js';
import { cdkJsonContext } from './synth.js';

const context = (overrides: Record<string, unknown>): ContextReader => {
  const values = { ...cdkJsonContext(), ...overrides };
  return { tryGetContext: (key) => values[key] };
};
describe('stage environments', () => {
  it('puts 2 AZs in dev and 3 elsewhere, from the context cache; prod copies backups to its DR region', () => {
    expect(resolveEnvironment(context({}), STAGES.dev)).toEqual({
      account: '111111111111',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
    });
    expect(resolveEnvironment(context({}), STAGES.prod).availabilityZones).toHaveLength(3);
    expect(resolveEnvironment(context({}), STAGES.prod).backupCopyRegion).toBe('us-west-2');
  });

  it("refuses a zone list shorter than the stage's azCount, naming the context key", () => {
    const key = 'availability-zones:account=222222222222:region=us-east-1';
    expect(() =>
      resolveEnvironment(context({ [key]: ['us-east-1a', 'us-east-1b'] }), STAGES.staging),
    ).toThrow(`context "${key}" lists 2 zones; network.azCount needs 3`);
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
    // A whole stage's synthesis: about 10 s on an idle 2-core machine, 37 s measured beside the benchmark.
  }, 120_000);
});
