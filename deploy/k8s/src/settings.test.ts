import { imageRepository, images, STAGE_NAMES, STAGES } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { renderStage } from './render.js';
import { type RenderSettings, validateRenderSettings } from './settings.js';
import { renderSettings } from './stages/index.js';

const prod = renderSettings('prod');

describe('render settings', () => {
  const repo = (image: string) => `333333333333.dkr.ecr.us-east-1.amazonaws.com/conduit/${image}`;
  const withApi = (api: Record<string, string>) => ({
    ...prod,
    images: { ...prod.images, api: { repository: repo('api'), ...api } },
  });

  it('refuses a bad image setting of a workload, naming the stage and the field', () => {
    expect(() => validateRenderSettings(withApi({ tag: 'latest' }))).toThrow(
      'stage prod: images.api.tag must be an immutable git SHA, never "latest"',
    );
    const { api: _api, ...withoutApi } = prod.images;
    expect(() => validateRenderSettings({ ...prod, images: withoutApi })).toThrow(
      'stage prod: images.api is missing',
    );
  });

  it.each(STAGE_NAMES)(
    '%s: images come from the ECR repositories of the stage account, one per image of the model',
    (name) => {
      const settings = renderSettings(name);
      expect(Object.keys(settings.images)).toEqual([...images()]);
      for (const image of images()) {
        expect(settings.images[image]!.repository).toBe(imageRepository(STAGES[name], image));
      }
    },
  );

  it('renders digests with @ (digest wins over tag), tags with :', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const out = renderStage(withApi({ digest, tag: 'f'.repeat(40) }));
    const refs = out.conduit
      .filter((o) => o.kind === 'Rollout' || o.kind === 'Job')
      .map(
        (o) =>
          (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!
            .image,
      );
    expect(refs).toContain(`${repo('api')}@${digest}`);
    expect(refs).toContain(`${prod.images.web!.repository}:${prod.images.web!.tag}`);
  });

  it('refuses a deregistration delay that is not shorter than the preStop sleep', () => {
    const router = {
      ...(prod.router as Extract<RenderSettings['router'], { kind: 'alb' }>),
      deregistrationDelaySeconds: 25,
    };
    expect(() => validateRenderSettings({ ...prod, router })).toThrow(
      'stage prod: router.deregistrationDelaySeconds (25s) must be shorter than the preStop sleep (25s)',
    );
  });

  it('refuses an unknown stage', () => {
    expect(() => renderSettings('qa')).toThrow('unknown stage "qa" (known: dev, staging, prod)');
  });
});
