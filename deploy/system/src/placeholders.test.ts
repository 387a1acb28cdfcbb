import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  ALLOW_PLACEHOLDERS_ENV,
  MODEL,
  type PlaceholderModel,
  placeholderLines,
  placeholders,
  refusePlaceholders,
  STAGE_NAMES,
} from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allScenarios, REPO_ROOT, type ScenarioArtifacts } from './artifacts.js';
import {
  artifactFindings,
  handWrittenFiles,
  handWrittenFindings,
  imagesFileFindings,
  imagesFiles,
  type TextFile,
} from './placeholders.js';

const values = placeholders();
const files = handWrittenFiles();
const file = (path: string): TextFile => files.find((f) => f.path === path)!;

/** The model with a real value in every setting a user must change. */
const realModel: PlaceholderModel = {
  stages: Object.fromEntries(
    STAGE_NAMES.map((name, i) => [
      name,
      {
        ...MODEL.stages[name],
        account: `40${i}123456789`,
        edge: { ...MODEL.stages[name].edge, domainName: `${name}.shop.acme.io` },
      },
    ]),
  ) as unknown as PlaceholderModel['stages'],
  repository: { owner: 'acme', name: 'shop' },
  alertEmail: { to: 'oncall@acme.io', from: 'alerts@acme.io' },
};

describe('no placeholder ships', () => {
  it('the model lists each value a user must change, with the setting that holds it', () => {
    expect(values.map((p) => p.setting)).toEqual(
      expect.arrayContaining([
        'STAGES.prod.account',
        'STAGES.dev.edge.domainName',
        'GITHUB_REPOSITORY',
        'ALERT_EMAIL.to',
      ]),
    );
    expect(values.find((p) => p.setting === 'STAGES.prod.account')?.value).toBe(MODEL.stages.prod.account);
  });

  it('finds no hand-written copy of a placeholder: every occurrence comes from the model', () => {
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['.github/workflows/release.yml', 'deploy/aws/cdk.json']),
    );
    expect(handWrittenFindings(files, values)).toEqual([]);
  });

  it("finds in no stage's templates or manifests another stage's account or domain", () => {
    expect(artifactFindings(allScenarios(), values)).toEqual([]);
    expect(imagesFileFindings(imagesFiles(), values)).toEqual([]);
  });

  it('names a workflow that hard-codes an account id', () => {
    const release = file('.github/workflows/release.yml');
    const broken = {
      ...release,
      text: release.text.replace(
        `role-to-assume: \${{ vars.AWS_RELEASE_ROLE_ARN }}`,
        `role-to-assume: arn:aws:iam::${MODEL.stages.dev.account}:role/conduit-dev-github-image-push`,
      ),
    };
    const line = broken.text.split('\n').findIndex((l) => l.includes('arn:aws:iam::')) + 1;
    expect(handWrittenFindings([broken], values)).toEqual([
      `.github/workflows/release.yml:${line} hard-codes ${MODEL.stages.dev.account}, which the model sets as STAGES.dev.account (packages/platform/src/stages.ts)`,
    ]);
  });

  it('accepts a value only inside a generated table or as a cdk.json zone-cache key', () => {
    const prose = `${MODEL.stages.prod.edge.domainName} is prod`;
    const doc = {
      path: 'docs/x.md',
      text: `<!-- generated from packages/platform (npm run docs -w @conduit/platform): t -->\n${prose}\n<!-- end of generated t -->\n${prose}\n`,
    };
    expect(handWrittenFindings([doc], values)).toEqual([
      `docs/x.md:4 hard-codes ${MODEL.stages.prod.edge.domainName}, which the model sets as STAGES.prod.edge.domainName (packages/platform/src/stages.ts)`,
    ]);
    const cdkJson = file('deploy/aws/cdk.json');
    const broken = {
      ...cdkJson,
      text: cdkJson.text.replace(
        '"cli-telemetry": false',
        `"owner-account": "${MODEL.stages.staging.account}"`,
      ),
    };
    expect(handWrittenFindings([broken], values)).toEqual([
      `deploy/aws/cdk.json:9 hard-codes ${MODEL.stages.staging.account}, which the model sets as STAGES.staging.account (packages/platform/src/stages.ts)`,
    ]);
  });

  it("names a stage's template that carries another stage's account", () => {
    const dev = allScenarios().find((a) => a.scenario.name === 'dev')!;
    const templates = structuredClone(dev.templates);
    (templates.Edge!.Outputs as Record<string, unknown>).Leak = {
      Value: `arn:aws:iam::${MODEL.stages.prod.account}:root`,
    };
    const broken: ScenarioArtifacts = { ...dev, templates };
    expect(artifactFindings([broken], values)).toEqual([
      `dev conduit-dev-edge carries ${MODEL.stages.prod.account}, prod's value (STAGES.prod.account)`,
    ]);
  });

  it("names an images file that points a stage at another stage's registry", () => {
    const [dev] = imagesFiles();
    const broken = {
      ...dev!,
      text: dev!.text.replaceAll(MODEL.stages.dev.account, MODEL.stages.staging.account),
    };
    expect(imagesFileFindings([broken], values)).toEqual([
      `deploy/k8s/src/stages/images/dev.json carries ${MODEL.stages.staging.account}, staging's value (STAGES.staging.account)`,
    ]);
  });

  it('refuses a model with placeholders with one line per setting, and passes a real one', () => {
    expect(() => refusePlaceholders({}, realModel)).not.toThrow();
    const one = { ...realModel, repository: MODEL.repository };
    expect(() => refusePlaceholders({}, one)).toThrow(
      /^placeholder GITHUB_REPOSITORY = conduit-platform\/conduit: set a real value in packages\/platform\/src\/stages\.ts\n/,
    );
    expect(() => refusePlaceholders({ [ALLOW_PLACEHOLDERS_ENV]: '1' }, one)).not.toThrow();
  });

  // The real entry points, on the real (placeholder) model: what a user's `cdk deploy` and the release run.
  it.each([
    ['the CDK app (cdk deploy, cdk diff)', 'deploy/aws/bin/conduit.ts'],
    [
      'the release workflow step (npm run placeholders -w @conduit/platform)',
      'packages/platform/src/refuse-placeholders.ts',
    ],
  ])('%s exits non-zero naming each placeholder', { timeout: 120_000 }, (_, script) => {
    const env = { ...process.env };
    delete env[ALLOW_PLACEHOLDERS_ENV];
    const run = spawnSync('npx', ['tsx', join(REPO_ROOT, script)], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    for (const line of placeholderLines(values)) expect(run.stderr).toContain(line);
  });
});
