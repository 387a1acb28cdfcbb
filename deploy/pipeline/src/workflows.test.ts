import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runActionlint, schemaErrors, shellcheckScripts } from './linters.js';
import { repoRoot } from './paths.js';
import { promotionSource } from './stages.js';
import {
  ancestors,
  loadWorkflows,
  needsOf,
  permissionsOf,
  runsOf,
  usesOf,
  type Workflow,
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
