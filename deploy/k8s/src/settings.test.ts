import { describe, expect, it } from 'vitest';
import { renderStage } from './render.js';
import { type StageSettings, validateStage, worstCaseAbortSeconds } from './settings.js';
import { stage } from './stages/index.js';

const prod = stage('prod');

describe('stage settings', () => {
  it('refuses latest and malformed image versions, naming the field', () => {
    expect(() => validateStage({ ...prod, imageVersion: 'latest' })).toThrow(
      /stage prod: imageVersion must be a pinned tag or digest/,
    );
    expect(() => validateStage({ ...prod, imageVersion: 'v1 2' })).toThrow(
      /imageVersion \(v1 2\) is neither/,
    );
  });

  it('renders digests with @', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const out = renderStage({ ...prod, imageVersion: digest });
    const rollout = out.conduit.find((o) => o.kind === 'Rollout')! as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(rollout.spec.template.spec.containers[0]!.image).toBe(`${prod.registry}/conduit/api@${digest}`);
  });

  it('refuses a deregistration delay that is not shorter than the preStop sleep', () => {
    const router = {
      ...(prod.router as Extract<StageSettings['router'], { kind: 'alb' }>),
      deregistrationDelaySeconds: 25,
    };
    expect(() => validateStage({ ...prod, router })).toThrow(
      'stage prod: router.deregistrationDelaySeconds (25s) must be shorter than the preStop sleep (25s)',
    );
  });

  it('refuses analysis settings that let a bad canary run more than 2 minutes', () => {
    const slow = { ...prod, analysis: { ...prod.analysis, failureLimit: 3 } };
    expect(worstCaseAbortSeconds(slow)).toBe(150);
    expect(() => validateStage(slow)).toThrow(
      /analysis lets a bad canary run 150s after its first step; the limit is 120s/,
    );
  });

  it('refuses fewer than two replicas and an unknown stage', () => {
    expect(() => validateStage({ ...prod, api: { ...prod.api, minReplicas: 1 } })).toThrow(
      /api\.minReplicas \(1\) must be at least 2/,
    );
    expect(() => stage('qa')).toThrow('unknown stage "qa" (known: dev, staging, prod)');
  });
});
