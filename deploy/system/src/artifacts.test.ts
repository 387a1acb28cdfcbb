import { SCENARIOS, STAGE_NAMES } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allManifests, allScenarios, MANIFEST_DIRS, workflows } from './artifacts.js';

describe('the artifacts the suite verifies', () => {
  it('covers every scenario of the platform model, the real stages from the committed manifests', () => {
    const loaded = allScenarios();
    expect(loaded.map((a) => a.scenario.name)).toEqual(SCENARIOS.map((s) => s.name));
    for (const a of loaded) {
      expect(a.manifestSource).toBe(
        (STAGE_NAMES as readonly string[]).includes(a.scenario.name) ? 'dist' : 'rendered',
      );
    }
  });

  it.each(allScenarios().map((a) => [a.scenario.name, a] as const))(
    '%s: every stack is synthesized and every manifest folder holds objects',
    (_, a) => {
      for (const stack of ['Network', 'Data', 'Cluster', 'Edge', 'CiIdentity'] as const) {
        expect(Object.keys(a.templates[stack]?.Resources ?? {}).length, stack).toBeGreaterThan(0);
      }
      for (const dir of MANIFEST_DIRS) expect(a.manifests[dir].length, dir).toBeGreaterThan(0);
      expect(allManifests(a).every((o) => typeof o.kind === 'string' && o.metadata.name)).toBe(true);
    },
  );

  it('reads every workflow', () => {
    const files = workflows().map((w) => w.file);
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml', 'promote.yml']));
    for (const w of workflows()) expect(Object.keys(w.doc.jobs).length, w.file).toBeGreaterThan(0);
  });
});
