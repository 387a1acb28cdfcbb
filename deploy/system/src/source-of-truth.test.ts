import { argoApplicationNames } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allScenarios } from './artifacts.js';
import { find, seeded } from './seed.js';
import { checkSourceOfTruth, jqPath, pointerPath } from './source-of-truth.js';

const scenarios = allScenarios().map((a) => [a.scenario.name, a] as const);
const dev = allScenarios()[0]!;
const stage = dev.stage.name;

describe('Git is the source of truth: Argo CD ignores no field Git sets', () => {
  it.each(scenarios)('%s: no findings', (_, a) => {
    expect(checkSourceOfTruth(a)).toEqual([]);
  });

  it('reads the paths Argo CD takes', () => {
    expect(pointerPath('/metadata/annotations/a~1b')).toEqual(['metadata', 'annotations', 'a/b']);
    expect(jqPath('.spec.selector["rollouts-pod-template-hash"]')).toEqual([
      'spec',
      'selector',
      'rollouts-pod-template-hash',
    ]);
    expect(jqPath('.spec.rules[].http.paths[0]')).toEqual(['spec', 'rules', '[]', 'http', 'paths', 0]);
    expect(jqPath('.spec.rules[] | select(.host == "x")')).toBeUndefined();
  });
});

describe('Git is the source of truth: seeded defects', () => {
  it('finds HPA bounds ignored while the stage model sets them', () => {
    const broken = seeded(dev, ({ manifests }) => {
      const app = find(manifests.apps, 'Application', argoApplicationNames.app(stage));
      app.spec.ignoreDifferences.push({
        group: 'autoscaling',
        kind: 'HorizontalPodAutoscaler',
        jsonPointers: ['/spec/minReplicas', '/spec/maxReplicas'],
      });
    });
    const hpas = dev.manifests.conduit.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    expect(checkSourceOfTruth(broken)).toEqual([
      `${stage}: Application ${argoApplicationNames.app(stage)} ignores HorizontalPodAutoscaler /spec/minReplicas, which Git sets (${hpas.map((h) => h.metadata.name).join(', ')}): a change in Git never reaches the cluster (RespectIgnoreDifferences)`,
      `${stage}: Application ${argoApplicationNames.app(stage)} ignores HorizontalPodAutoscaler /spec/maxReplicas, which Git sets (${hpas.map((h) => h.metadata.name).join(', ')}): a change in Git never reaches the cluster (RespectIgnoreDifferences)`,
    ]);
  });

  it('finds an ignored field without RespectIgnoreDifferences (drift never shown)', () => {
    const broken = seeded(dev, ({ manifests }) => {
      const app = find(manifests.apps, 'Application', argoApplicationNames.platform(stage));
      app.spec.syncPolicy.syncOptions = ['PruneLast=true'];
      app.spec.ignoreDifferences.push({
        group: '',
        kind: 'Namespace',
        jqPathExpressions: ['.metadata.labels'],
      });
    });
    expect(checkSourceOfTruth(broken)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${stage}: Application ${argoApplicationNames.platform(stage)} ignores Namespace \\.metadata\\.labels, which Git sets \\(.+\\): drift from Git is never shown or healed$`,
        ),
      ),
    ]);
  });

  it('finds a jq expression no plain path reads, unless declared as runtime-owned', () => {
    const broken = seeded(dev, ({ manifests }) => {
      const app = find(manifests.apps, 'Application', argoApplicationNames.app(stage));
      app.spec.ignoreDifferences.push({
        group: 'apps',
        kind: 'Deployment',
        jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "api")'],
      });
    });
    expect(checkSourceOfTruth(broken)).toEqual([
      `${stage}: Application ${argoApplicationNames.app(stage)} ignores Deployment .spec.template.spec.containers[] | select(.name == "api"), which is no plain path and no declared runtime-owned field`,
    ]);
  });
});
