import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCHED_FEATURES, type BenchedFeature } from '../src/app.js';
import { startTestApi, type TestApi } from './helpers.js';

/** What a response shows of each feature the benchmark leaves out. */
async function present(api: TestApi): Promise<Record<BenchedFeature, boolean>> {
  const tags = await fetch(`${api.url}/api/tags`);
  expect(tags.status).toBe(200);
  const metrics = await fetch(`${api.url}/metrics`);
  return {
    metrics: metrics.status === 200 && (await metrics.text()).includes('http_requests_total{'),
    'request-id': tags.headers.get('x-request-id') !== null,
    'security-headers': tags.headers.get('x-content-type-options') === 'nosniff',
  };
}

// The benchmark's feature costs are only what they claim if `without` removes that one feature and no other.
describe('the features the benchmark leaves out (BuildOptions.without)', () => {
  const apis = new Map<BenchedFeature | 'none', TestApi>();
  beforeAll(async () => {
    const started = await Promise.all(
      (['none', ...BENCHED_FEATURES] as const).map(async (name) => {
        const api = await startTestApi({}, name === 'none' ? {} : { without: [name] });
        return [name, api] as const;
      }),
    );
    for (const [name, api] of started) apis.set(name, api);
  });
  afterAll(async () => {
    await Promise.all([...apis.values()].map((api) => api.close()));
  });

  it('are all there by default', async () => {
    expect(await present(apis.get('none')!)).toEqual({
      metrics: true,
      'request-id': true,
      'security-headers': true,
    });
  });

  it.each(BENCHED_FEATURES)('without %s: that one is gone and the others are there', async (name) => {
    const expected = Object.fromEntries(BENCHED_FEATURES.map((f) => [f, f !== name]));
    expect(await present(apis.get(name)!)).toEqual(expected);
  });
});
