import { releaseDrill } from '@conduit/drills';
import { describe, expect, inject, it } from 'vitest';
import { containerLauncher } from './api-container.js';
import { buildImage, inspectImage } from './images.js';
import { renderedObjects } from './pod-spec.js';

const images = inject('images');
const bases = inject('standIns');

describe('drill:release on containers', () => {
  it('replaces API 1.0.0 containers by 2.0.0 containers (two builds of the Dockerfile) under load, losing no request', async () => {
    // The second version differs only in its APP_VERSION build argument; every other layer is cached.
    const next = await buildImage('api', bases, { version: '2.0.0' });
    const [objects, { user }] = await Promise.all([renderedObjects('dev'), inspectImage(images.api)]);
    const launch = containerLauncher(objects, { '1.0.0': images.api, '2.0.0': next }, user);
    const result = await releaseDrill('ci', { launch });
    console.log(`drill:release on containers\n  ${result.lines.join('\n  ')}`);
    expect(result.failures).toEqual([]);
  });
});
