import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderStage } from './render.js';
import { type StageSettings, validateStage, worstCaseAbortSeconds } from './settings.js';
import { stage } from './stages/index.js';

const prod = stage('prod');

describe('stage settings', () => {
  const repo = (tier: string) => `333333333333.dkr.ecr.us-east-1.amazonaws.com/conduit/${tier}`;
  const withApi = (api: Record<string, string>) => ({
    ...prod,
    images: { ...prod.images, api: { repository: repo('api'), ...api } },
  });

  it('refuses latest, mutable tags, malformed digests and foreign repositories, naming the field', () => {
    expect(() => validateStage(withApi({ tag: 'latest' }))).toThrow(
      'stage prod: images.api.tag must be an immutable git SHA, never "latest"',
    );
    expect(() => validateStage(withApi({ tag: '1.2.3' }))).toThrow(
      /images\.api\.tag \(1\.2\.3\) must be a full 40-hex git SHA/,
    );
    expect(() => validateStage(withApi({ digest: 'sha256:abc' }))).toThrow(/images\.api\.digest/);
    expect(() => validateStage(withApi({}))).toThrow('stage prod: images.api needs a digest or a tag');
    expect(() =>
      validateStage({
        ...prod,
        images: { ...prod.images, web: { ...prod.images.web, repository: repo('api') } },
      }),
    ).toThrow(/images\.web\.repository .* must be <registry>\/conduit\/web/);
  });

  it('stage images are ECR repositories of the stage account (deploy/aws cdk.json), one per tier', async () => {
    const cdk = JSON.parse(await readFile(new URL('../../aws/cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, Record<string, { account: string; region: string }>>;
    };
    for (const name of ['dev', 'staging', 'prod'] as const) {
      const env = cdk.context['conduit:environments']![name]!;
      for (const tier of ['api', 'web', 'ops'] as const) {
        expect(stage(name).images[tier].repository).toBe(
          `${env.account}.dkr.ecr.${env.region}.amazonaws.com/conduit/${tier}`,
        );
      }
    }
  });

  it('renders digests with @ (digest wins over tag), tags with :', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const out = renderStage(withApi({ digest, tag: 'f'.repeat(40) }));
    const images = out.conduit
      .filter((o) => o.kind === 'Rollout' || o.kind === 'Job')
      .map(
        (o) =>
          (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!
            .image,
      );
    expect(images).toContain(`${repo('api')}@${digest}`);
    expect(images).toContain(`${prod.images.web.repository}:${prod.images.web.tag}`);
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
