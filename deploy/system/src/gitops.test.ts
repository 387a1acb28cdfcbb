import { argoApplicationNames, gitopsPath } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allScenarios, type CfnTemplate, scenarioArtifacts } from './artifacts.js';
import { checkGitOps } from './gitops.js';
import { find, seeded } from './seed.js';

const scenarios = allScenarios().map((a) => [a.scenario.name, a] as const);
const dev = allScenarios()[0]!;
const stage = dev.stage.name;
const base = gitopsPath(stage);

/** The CDK resource that applies the root Application, and its parsed manifest. */
function rootResource(templates: Record<string, CfnTemplate>) {
  const resources = templates.Cluster!.Resources;
  const [id, r] = Object.entries(resources).find(
    ([, r]) =>
      r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' &&
      JSON.stringify(r.Properties?.Manifest).includes('argoproj.io'),
  )!;
  // biome-ignore lint/suspicious/noExplicitAny: a seed reaches into any field of the manifest.
  const manifest = JSON.parse(r.Properties!.Manifest as string) as Record<string, any>[];
  const save = () => {
    (r.Properties as Record<string, unknown>).Manifest = JSON.stringify(manifest);
  };
  return { id, resources, manifest, save };
}

describe('GitOps: one owner per Argo CD object, one tree from the root', () => {
  it.each(scenarios)('%s: no findings', (_, a) => {
    expect(checkGitOps(a)).toEqual([]);
  });

  it('covers the option scenarios from their rendered tree', () => {
    expect(allScenarios().filter((a) => a.manifestSource === 'rendered').length).toBeGreaterThan(0);
  });
});

describe('GitOps: seeded defects', () => {
  it('finds an Application the CDK applies and a synced folder renders too (two owners, one name)', () => {
    const broken = seeded(dev, ({ manifests }) => {
      manifests.apps.push(structuredClone(manifests.bootstrap[0]!));
    });
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        `${stage}: argoproj.io/Application/argocd/${argoApplicationNames.root(stage)} is defined 2 times (dist apps/; CDK Cluster/${rootResource(structuredClone(dev.templates) as Record<string, CfnTemplate>).id})`,
      ]),
    );
  });

  it('finds a root pointing at the stage folder without recurse (reads no manifests, reaches nothing)', () => {
    const broken = seeded(dev, ({ templates }) => {
      const root = rootResource(templates);
      root.manifest[0]!.spec.source.path = base;
      root.save();
    });
    const findings = checkGitOps(broken);
    expect(findings).toContain(
      `${stage}: Application ${argoApplicationNames.root(stage)}: path ${base} holds no manifests Argo CD reads (directory.recurse false; the rendered files are ${base}/<dir>/manifests.yaml)`,
    );
    expect(findings).toContain(
      `${stage}: ${base}/platform/ is reached by nothing from the root (only by Application ${argoApplicationNames.platform(stage)} (not reached from the root))`,
    );
  });

  it('finds a folder reached twice (a recursive root reads every folder, then the child Applications again)', () => {
    const broken = seeded(dev, ({ templates }) => {
      const root = rootResource(templates);
      root.manifest[0]!.spec.source.path = base;
      root.manifest[0]!.spec.source.directory = { recurse: true };
      root.save();
    });
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${stage}: ${base}/conduit/ is put into the cluster 2 times: `)),
      ]),
    );
  });

  it('finds an Application whose path does not exist in dist/<stage>', () => {
    const broken = seeded(dev, ({ manifests }) => {
      find(manifests.apps, 'Application', argoApplicationNames.app(stage)).spec.source.path = `${base}/app`;
    });
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        `${stage}: Application ${argoApplicationNames.app(stage)}: path ${base}/app is not a directory of ${base}/ (it has bootstrap, apps, platform, conduit)`,
        `${stage}: ${base}/conduit/ is reached by nothing from the root`,
      ]),
    );
  });

  it('finds a directory include that filters out the rendered file', () => {
    const broken = seeded(dev, ({ manifests }) => {
      find(manifests.apps, 'Application', argoApplicationNames.platform(stage)).spec.source.directory = {
        include: '*.json',
      };
    });
    expect(checkGitOps(broken)).toContain(
      `${stage}: Application ${argoApplicationNames.platform(stage)}: path ${base}/platform holds no manifests Argo CD reads (directory.recurse false, include *.json; the rendered files are ${base}/<dir>/manifests.yaml)`,
    );
  });

  it('finds a root nobody applies (the CDK bootstrap dropped)', () => {
    const broken = seeded(dev, ({ templates }) => {
      const root = rootResource(templates);
      delete root.resources[root.id];
    });
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        `${stage}: the CDK app applies no Application: nothing puts the root into the cluster`,
        `${stage}: ${base}/bootstrap/ is reached by nothing from the root`,
      ]),
    );
  });

  it('finds a root the CDK applies that differs from the rendered one (two definitions)', () => {
    const broken = seeded(dev, ({ templates }) => {
      const root = rootResource(templates);
      root.manifest[0]!.spec.syncPolicy = { automated: { prune: false } };
      root.save();
    });
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/is defined 2 times/),
        `${stage}: ${base}/bootstrap/ is reached by nothing from the root`,
      ]),
    );
  });

  it('finds an object rendered into two folders', () => {
    const broken = seeded(scenarioArtifacts(dev.scenario), ({ manifests }) => {
      manifests.conduit.push(structuredClone(manifests.platform[0]!));
    });
    const first = dev.manifests.platform[0]!;
    expect(checkGitOps(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `/${first.kind}/${first.metadata.namespace ?? ''}/${first.metadata.name} is rendered 2 times \\(platform, conduit\\)$`,
          ),
        ),
      ]),
    );
  });
});
