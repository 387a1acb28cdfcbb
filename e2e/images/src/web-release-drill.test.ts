import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectPreviousAssets, containerCli } from '@conduit/pipeline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, inspectImage } from './images.js';
import { findObject, podmanPlan, podSpecOf, type RunPlan, renderedObjects } from './pod-spec.js';
import { podmanEnv, repoRoot } from './podman.js';
import { webReleaseDrill } from './web-release.js';

const images = inject('images');
const bases = inject('standIns');

/**
 * Release 2.0.0 is 1.0.0 with one more statement in every page module: every lazy chunk and the entry get
 * new hashed names, as a real change of the pages gives them. The Dockerfile is otherwise the real one; the
 * change and a second build run right after the first, so 1.0.0's cached install is reused.
 */
const CHANGE_EVERY_PAGE =
  'RUN for page in apps/web/src/features/*/*-page.tsx; do echo \'console.info("conduit web 2.0.0");\' >>"$page"; done \\\n && npm run build -w @conduit/web';

describe('web release drill on containers', () => {
  let dir: string;
  let plan: RunPlan;
  let oldAssets: string[];
  let dockerfile: string;
  let next: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conduit-web-release-'));
    const original = await readFile(join(repoRoot, 'apps/web/Dockerfile'), 'utf8');
    const build = ' && npm run build -w @conduit/web\n';
    const changed = original.replace(build, `${build}${CHANGE_EVERY_PAGE}\n`);
    expect(changed).not.toBe(original);
    dockerfile = join(dir, 'web-2.0.0.Dockerfile');
    await writeFile(dockerfile, changed);
    const [objects, { user }] = await Promise.all([renderedObjects('dev'), inspectImage(images.web)]);
    plan = podmanPlan(objects, podSpecOf(findObject(objects, 'Rollout', 'web')), 'web', { imageUser: user });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('collects the running release\'s own assets from its image, as release.yml does with "stage-image previous-assets"', async () => {
    const out = join(dir, 'previous-assets');
    const [collected] = await collectPreviousAssets(
      [images.web],
      out,
      containerCli('podman', await podmanEnv()),
    );
    expect(collected?.skipped).toBeUndefined();
    oldAssets = [...(collected?.files ?? [])];
    expect(oldAssets).toContainEqual(expect.stringMatching(/^auth-page-[\w-]+\.js$/));
    expect((await readdir(out)).sort()).toEqual(oldAssets);
    // A reference no registry holds (a stage nothing was released to yet) is reported, not fatal.
    const [missing] = await collectPreviousAssets(
      ['localhost/conduit/web:never-built'],
      join(dir, 'none'),
      containerCli('podman', await podmanEnv()),
    );
    expect(missing?.skipped).toMatch(/^podman create: /);
  });

  it('replaces web 1.0.0 by 2.0.0 through a canary under load: no page load or asset request fails, and a page of 1.0.0 opens its lazy page after 1.0.0 is gone', async () => {
    next = await buildImage('web', bases, {
      version: '2.0.0',
      dockerfile,
      contexts: { 'previous-assets': join(dir, 'previous-assets') },
    });
    // 2.0.0 serves 1.0.0's files but lists only its own: the release after it carries 2.0.0's files alone.
    const [own] = await collectPreviousAssets(
      [next],
      join(dir, 'after-2.0.0'),
      containerCli('podman', await podmanEnv()),
    );
    expect(own?.files.length).toBeGreaterThan(0);
    expect(own?.files.filter((name) => oldAssets.includes(name) && /-page-/.test(name))).toEqual([]);
    const result = await webReleaseDrill({
      plan,
      from: images.web,
      to: next,
      oldAssets,
      assetFailover: true,
    });
    console.log(`web release drill on containers\n  ${result.lines.join('\n  ')}`);
    // The drill is only a drill if the names changed: the chunk the old page asked for is not 2.0.0's.
    expect(result.lazyChunk.path).toMatch(/^\/assets\/auth-page-/);
    expect(result.lazyChunk.status).toBe(200);
    expect(result.pageShown).toBe(true);
    expect(result.reloaded).toBe(false);
    expect(result.oldAssetRequestsAfter).toBeGreaterThan(0);
    expect(result.failures).toEqual([]);
  });

  it("seeded defect: 2.0.0 built without the previous assets answers the old page's lazy chunk 404; the app reloads the page once and shows it", async () => {
    const bare = await buildImage('web', bases, {
      version: '2.0.0',
      dockerfile,
      tag: 'localhost/conduit/web:2.0.0-without-previous-assets',
    });
    const result = await webReleaseDrill({
      plan,
      from: images.web,
      to: bare,
      oldAssets,
      assetFailover: true,
    });
    console.log(`web release drill, 2.0.0 without the previous assets\n  ${result.lines.join('\n  ')}`);
    expect(result.lazyChunk.path).toMatch(/^\/assets\/auth-page-/);
    expect(result.lazyChunk.status).toBe(404);
    // The fallback (apps/web src/lib/page-chunk.ts): a fresh index.html names 2.0.0's chunks.
    expect(result.reloaded).toBe(true);
    expect(result.pageShown).toBe(true);
    expect(result.failures).toContainEqual(expect.stringMatching(/^\/assets\/.+: 404$/));
  });

  it("seeded defect: without the edge's second try, pages of 2.0.0 lose its files to 1.0.0's pods during the canary (404)", async () => {
    const result = await webReleaseDrill({
      plan,
      from: images.web,
      to: next,
      oldAssets,
      assetFailover: false,
    });
    console.log(`web release drill, no edge retry for assets\n  ${result.lines.join('\n  ')}`);
    const old = new Set(oldAssets.map((name) => `/assets/${name}`));
    const lost = result.failures.filter((f) => f.endsWith(': 404') && !old.has(f.slice(0, -': 404'.length)));
    expect(lost.length).toBeGreaterThan(0);
  });
});
