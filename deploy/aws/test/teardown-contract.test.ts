import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { retainedResources, STAGE_NAMES, stacksOf, stage } from '@conduit/platform';
import { describe, expect, inject, it } from 'vitest';

interface Artifact {
  type: string;
  displayName?: string;
  dependencies?: string[];
  properties?: { templateFile?: string; stackName?: string };
}

/** The stacks of a stage's assembly, by their id (`Network`, ...): name, stack dependencies, template. */
function assemblyStacks(stageName: string) {
  const dir = join(inject('synth').outdir, `assembly-${stageName}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, Artifact>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const idOf = (artifactId: string) =>
    manifest.artifacts[artifactId]?.displayName?.split('/').pop() ?? artifactId;
  return stacks.map(([, a]) => ({
    id: a.displayName!.split('/').pop()!,
    name: a.properties!.stackName!,
    // Asset manifests are dependencies too; only stacks order a deletion.
    dependsOn: (a.dependencies ?? [])
      .filter((d) => manifest.artifacts[d]?.type === 'aws:cloudformation:stack')
      .map(idOf)
      .sort(),
    resources: (
      JSON.parse(readFileSync(join(dir, a.properties!.templateFile!), 'utf8')) as {
        Resources: Record<string, { Type: string; DeletionPolicy?: string }>;
      }
    ).Resources,
  }));
}

// `conduit teardown` deletes the stacks the model lists, in the reverse of the model's order, and promises
// the list of what survives: both are facts of the synthesized assembly, checked here.
describe('teardown contract (synthesized assembly vs the platform model)', () => {
  for (const name of STAGE_NAMES) {
    it(`${name}: the model's stacks, names and dependencies are the assembly's`, () => {
      const model = stacksOf(stage(name)).map((s) => ({
        id: s.id,
        name: s.name,
        dependsOn: [...s.dependsOn].sort(),
      }));
      const synthesized = assemblyStacks(name).map(({ id, name: stackName, dependsOn }) => ({
        id,
        name: stackName,
        dependsOn,
      }));
      expect(synthesized.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        model.sort((a, b) => a.id.localeCompare(b.id)),
      );
    });

    it(`${name}: every resource a deletion keeps (Retain, Snapshot) is in the model's retained list`, () => {
      const kept = assemblyStacks(name)
        .flatMap((s) =>
          Object.values(s.resources)
            .filter((r) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'Snapshot')
            .map((r) => `${s.id} ${r.DeletionPolicy} ${r.Type}`),
        )
        .sort();
      const listed = retainedResources(stage(name))
        .map((r) => `${r.stack} ${r.policy} ${r.type}`)
        .sort();
      expect(kept).toEqual(listed);
    });
  }
});
