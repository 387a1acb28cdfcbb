import { describe, expect, it } from 'vitest';
import { imageRef, validateStageImages } from './images.js';

const repo = (image: string) => `333333333333.dkr.ecr.us-east-1.amazonaws.com/conduit/${image}`;
const sha = 'f'.repeat(40);
const digest = `sha256:${'a'.repeat(64)}`;
const check = (api: Record<string, unknown>) =>
  validateStageImages('stage prod', { api: { repository: repo('api'), ...api } }, ['api']);

describe('stage images', () => {
  it('accept a digest or a git SHA in the image own repository', () => {
    expect(check({ tag: sha })).toEqual({ api: { repository: repo('api'), tag: sha } });
    expect(check({ digest })).toEqual({ api: { repository: repo('api'), digest } });
  });

  it('refuse latest, mutable tags, malformed digests, foreign repositories and missing images, naming the field', () => {
    expect(() => check({ tag: 'latest' })).toThrow(
      'stage prod: images.api.tag must be an immutable git SHA, never "latest"',
    );
    expect(() => check({ tag: '1.2.3' })).toThrow(
      'stage prod: images.api.tag (1.2.3) must be a full 40-hex git SHA',
    );
    expect(() => check({ digest: 'sha256:abc' })).toThrow(
      'stage prod: images.api.digest (sha256:abc) must be',
    );
    expect(() => check({})).toThrow('stage prod: images.api needs a digest or a tag');
    expect(() => check({ repository: repo('web'), tag: sha })).toThrow(
      /images\.api\.repository \(.*conduit\/web\) must be <registry>\/conduit\/api/,
    );
    expect(() =>
      validateStageImages('dev.json', { api: { repository: repo('api'), tag: sha } }, ['api', 'ops']),
    ).toThrow('dev.json: images.ops is missing');
  });

  it('reference a digest with @ (digest wins over tag) and a tag with :', () => {
    expect(imageRef({ repository: repo('api'), digest, tag: sha })).toBe(`${repo('api')}@${digest}`);
    expect(imageRef({ repository: repo('api'), tag: sha })).toBe(`${repo('api')}:${sha}`);
  });
});
