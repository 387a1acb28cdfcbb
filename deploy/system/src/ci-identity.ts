import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CDK_QUALIFIER, CONTEXT_KEY_PATTERNS, CONTEXT_KEYS, GITHUB_OIDC_URL } from '@conduit/aws';
import {
  APP_NAMESPACE,
  CLUSTER_RUNNER_VARIABLE,
  githubSubject,
  isStageName,
  promotionSource,
} from '@conduit/platform';
import {
  allManifests,
  type CfnResource,
  type CfnTemplate,
  isRealStage,
  type K8sObject,
  REPO_ROOT,
  resourcesOfType,
  type ScenarioArtifacts,
  type Workflow,
} from './artifacts.js';

/**
 * Follows each identity GitHub Actions uses into AWS: from a workflow job's `role-to-assume`, through the
 * variables table (`.github/workflows/README.md`) to the stack output that holds the ARN, to the role in the
 * synthesized template; then checks the role's OIDC trust admits exactly the jobs that use it, allows what
 * their steps do, and that a job deploying one stage cannot reach another.
 */

const OIDC = GITHUB_OIDC_URL.replace(/^https:\/\//, '');
const SUB = `${OIDC}:sub`;
const AUD = `${OIDC}:aud`;
/** A CDK CLI invocation (`npx cdk <verb>`), not the words in an echo. */
const CDK_COMMAND = (verb: string) => new RegExp(`\\bnpx\\s+cdk\\s+${verb}\\b`);
const bootstrapRole = (kind: string) => `cdk-${CDK_QUALIFIER}-${kind}-role-`;

/** What an AWS call a step makes needs: actions, optionally on a resource containing `resource`. */
interface Need {
  readonly actions: readonly string[];
  readonly resource?: string;
  /** Why the step needs it, for the finding. */
  readonly why: string;
}

/**
 * The AWS calls each kind of step makes. One row per step kind; a step matching none makes no AWS call. Image
 * pushes go to the role that was active at the last registry login (Docker keeps that login's credentials).
 */
export const STEP_NEEDS: readonly {
  readonly step: string;
  readonly matches: (s: ResolvedStep) => boolean;
  readonly needs: (s: ResolvedStep) => readonly Need[];
  /** Needs an EKS access entry for the role (kubectl through the kubeconfig this step writes). */
  readonly clusterAccess?: boolean;
}[] = [
  {
    step: 'cdk deploy',
    matches: (s) => CDK_COMMAND('deploy').test(s.run ?? ''),
    needs: () =>
      ['deploy', 'file-publishing', 'lookup'].map((kind) => ({
        actions: ['sts:AssumeRole'],
        resource: bootstrapRole(kind),
        why: `cdk deploy assumes the ${kind} bootstrap role`,
      })),
  },
  {
    step: 'cdk diff',
    matches: (s) => CDK_COMMAND('diff').test(s.run ?? ''),
    // Without --no-change-set the CLI creates a change set, which only the deploy role may.
    needs: (s) =>
      /--no-change-set\b/.test(s.run ?? '')
        ? [
            {
              actions: ['sts:AssumeRole'],
              resource: bootstrapRole('lookup'),
              why: 'cdk diff reads via the lookup role',
            },
          ]
        : [
            {
              actions: ['sts:AssumeRole'],
              resource: bootstrapRole('deploy'),
              why: 'cdk diff creates a change set',
            },
          ],
  },
  {
    step: 'ECR login',
    matches: (s) => /^aws-actions\/amazon-ecr-login@/.test(s.uses ?? ''),
    needs: () => [
      { actions: ['ecr:GetAuthorizationToken'], why: 'amazon-ecr-login' },
      {
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        why: 'reading images and signatures through the login',
      },
    ],
  },
  {
    step: 'image push (build-push-action push, cosign copy)',
    matches: (s) =>
      (/^docker\/build-push-action@/.test(s.uses ?? '') && s.with.push === 'true') ||
      /\bcosign\s+copy\b/.test(s.run ?? ''),
    needs: () => [
      {
        actions: [
          'ecr:GetAuthorizationToken',
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
        ],
        why: 'pushing an image (Buildx also reads the layers it has)',
      },
    ],
  },
  {
    step: 'aws eks update-kubeconfig',
    matches: (s) => /\baws\s+eks\s+update-kubeconfig\b/.test(s.run ?? ''),
    needs: () => [{ actions: ['eks:DescribeCluster'], why: 'aws eks update-kubeconfig' }],
    clusterAccess: true,
  },
];

/** Actions that read; any other action a pull-request role holds can change something. */
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|BatchGet|BatchCheck)/;

export interface ResolvedStep {
  readonly name: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with: Record<string, string>;
}

/** One way a job can run: its matrix and input values bound, its OIDC subjects computed. */
export interface JobRun {
  readonly label: string;
  readonly workflow: string;
  readonly job: string;
  readonly environment?: string;
  /** The `sub` claims its OIDC token can carry. */
  readonly subjects: readonly string[];
  readonly selfHosted: boolean;
  /** The job's `runs-on`, as written (an expression stays unevaluated). */
  readonly runsOn: string;
  readonly steps: readonly ResolvedStep[];
}

type Doc = Record<string, unknown>;
type Bindings = Record<string, string>;

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Evaluates the expressions these workflows use for values; an unknown one stays `<expr>`. */
export function evaluate(text: string, bindings: Bindings): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => evalExpr(expr, bindings));
}

function evalExpr(expr: string, b: Bindings): string {
  let m = /^(inputs|matrix)\.([\w-]+)$/.exec(expr);
  if (m) return b[`${m[1]}.${m[2]}`] ?? `<${expr}>`;
  // A promotion's plan job prints the model's source stage of the target (stage-image source).
  m = /^needs\.[\w-]+\.outputs\.source$/.exec(expr);
  if (m) return b.source ?? `<${expr}>`;
  m = /^(vars|secrets)\.(\w+)$/.exec(expr);
  if (m) return `${m[1]}:${m[2]}`;
  m = /^(vars|secrets)\[format\('([\w{}]+)',\s*(.+)\)\]$/.exec(expr);
  if (m) return `${m[1]}:${m[2]!.replace('{0}', evalExpr(m[3]!, b))}`;
  return `<${expr}>`;
}

/** Events a job can run on: the workflow's, narrowed by `github.event_name == '…'` in its `if`. */
function jobEvents(events: readonly string[], job: Doc): string[] {
  const cond = str(job.if);
  const wanted = [...cond.matchAll(/github\.event_name\s*==\s*'(\w+)'/g)].map((m) => m[1]!);
  return wanted.length > 0 ? events.filter((e) => wanted.includes(e)) : [...events];
}

function triggers(doc: Doc): Record<string, Doc | null> {
  const on = doc.on;
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return (on ?? {}) as Record<string, Doc | null>;
}

/** The non-environment subjects an event gives: branch pushes, tags, pull requests. */
function eventSubjects(event: string, config: Doc | null): string[] {
  if (event === 'pull_request' || event === 'pull_request_target') return [githubSubject.pullRequest()];
  if (event === 'push') {
    const branches = (config?.branches as string[] | undefined) ?? [];
    const tags = (config?.tags as string[] | undefined) ?? [];
    const out = [...branches.map(githubSubject.branch), ...tags.map(githubSubject.tag)];
    return out.length > 0 ? out : [githubSubject.branch('*')];
  }
  // Dispatches and schedules run on whichever branch they are started from.
  return [githubSubject.branch('*')];
}

interface Caller {
  readonly events: Record<string, Doc | null>;
  readonly job: Doc;
  readonly with: Bindings;
}

/** Every run of every job that assumes an AWS role, across callers, dispatch choices and matrices. */
export function jobRuns(all: readonly Workflow[]): JobRun[] {
  const runs: JobRun[] = [];
  const callersOf = (file: string): Caller[] =>
    all.flatMap((w) =>
      Object.values(w.doc.jobs)
        .filter((j) => str(j.uses) === `./.github/workflows/${file}`)
        .map((j) => ({
          events: narrowed(triggers(w.doc), j),
          job: j,
          with: Object.fromEntries(
            Object.entries((j.with ?? {}) as Doc).map(([k, v]) => [`inputs.${k}`, str(v)]),
          ),
        })),
    );
  for (const w of all) {
    const own = triggers(w.doc);
    // A called workflow runs with its callers' events and inputs; its own other events run it directly.
    const contexts: { events: Record<string, Doc | null>; inputs: Bindings[] }[] = [];
    const direct = Object.fromEntries(
      Object.entries(own).filter(([e]) => e !== 'workflow_call' && e !== 'workflow_dispatch'),
    );
    if (Object.keys(direct).length > 0) contexts.push({ events: direct, inputs: [{}] });
    if ('workflow_dispatch' in own) {
      contexts.push({
        events: { workflow_dispatch: own.workflow_dispatch ?? null },
        inputs: dispatchInputs(own),
      });
    }
    if ('workflow_call' in own) {
      for (const c of callersOf(w.file)) contexts.push({ events: c.events, inputs: [c.with] });
    }
    for (const [name, job] of Object.entries(w.doc.jobs)) {
      const steps = (job.steps ?? []) as Doc[];
      if (!steps.some((s) => /^aws-actions\/configure-aws-credentials@/.test(str(s.uses)))) continue;
      for (const ctx of contexts) {
        const events = reachable(w, name, ctx.events);
        if (Object.keys(events).length === 0) continue;
        for (const input of ctx.inputs) {
          for (const matrix of matrixBindings(w, job, input)) {
            const b: Bindings = { ...input, ...matrix };
            if (b['inputs.target'] && isStageName(b['inputs.target'])) {
              b.source = promotionSource(b['inputs.target']);
            }
            const environment =
              job.environment === undefined ? undefined : evaluate(envName(job.environment), b);
            const subjects = environment
              ? [githubSubject.environment(environment)]
              : Object.entries(events).flatMap(([e, config]) => eventSubjects(e, config));
            const bound = Object.entries(b)
              .filter(([k]) => k !== 'source')
              .map(([k, v]) => `${k.replace(/^\w+\./, '')}=${v}`);
            runs.push({
              label: `${w.file} ${name}${bound.length > 0 ? ` [${bound.join(', ')}]` : ''}`,
              workflow: w.file,
              job: name,
              ...(environment ? { environment } : {}),
              subjects: [...new Set(subjects)],
              selfHosted: JSON.stringify(job['runs-on'] ?? '').includes('self-hosted'),
              runsOn:
                typeof job['runs-on'] === 'string' ? job['runs-on'] : JSON.stringify(job['runs-on'] ?? ''),
              steps: steps.map((s, i) => resolveStep(s, i, b)),
            });
          }
        }
      }
    }
  }
  return runs;
}

/** A job runs only on events its `if` and every job it needs run on (a skipped need skips it). */
function reachable(
  w: Workflow,
  name: string,
  events: Record<string, Doc | null>,
): Record<string, Doc | null> {
  const job = w.doc.jobs[name];
  if (!job) return events;
  let out = narrowed(events, job);
  for (const need of list(job.needs as string | string[] | undefined)) out = reachable(w, need, out);
  return out;
}

function narrowed(events: Record<string, Doc | null>, job: Doc): Record<string, Doc | null> {
  const keep = jobEvents(Object.keys(events), job);
  return Object.fromEntries(Object.entries(events).filter(([e]) => keep.includes(e)));
}

function envName(environment: unknown): string {
  return typeof environment === 'object' && environment !== null
    ? str((environment as Doc).name)
    : str(environment);
}

function dispatchInputs(own: Record<string, Doc | null>): Bindings[] {
  const inputs = (own.workflow_dispatch?.inputs ?? {}) as Record<string, Doc>;
  let out: Bindings[] = [{}];
  for (const [key, input] of Object.entries(inputs)) {
    const options = input.type === 'choice' ? (input.options as string[]) : undefined;
    if (!options) continue;
    out = out.flatMap((b) => options.map((o) => ({ ...b, [`inputs.${key}`]: o })));
  }
  return out;
}

/** Literal matrices expand; `fromJSON(needs.<job>.outputs.<x>)` of a paths filter expands to its filter names. */
function matrixBindings(w: Workflow, job: Doc, input: Bindings): Bindings[] {
  const matrix = (job.strategy as Doc | undefined)?.matrix;
  // A whole matrix computed at run time (release.yml's images) binds nothing these checks read.
  if (matrix === undefined || typeof matrix === 'string') return [{}];
  let out: Bindings[] = [{}];
  for (const [key, raw] of Object.entries(matrix as Doc)) {
    const values = Array.isArray(raw) ? raw.map((v) => evaluate(str(v), input)) : filterNames(w, str(raw));
    if (!values) continue;
    out = out.flatMap((b) => values.map((v) => ({ ...b, [`matrix.${key}`]: v })));
  }
  return out;
}

/** The filter names a dorny/paths-filter job's `changes` output can list, for `fromJSON(needs.<job>.outputs.<x>)`. */
function filterNames(w: Workflow, expr: string): string[] | undefined {
  const m = /fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)/.exec(expr);
  const producer = m ? w.doc.jobs[m[1]!] : undefined;
  const output = producer ? str((producer.outputs as Doc | undefined)?.[m![2]!]) : '';
  const step = ((producer?.steps ?? []) as Doc[]).find((s) => /^dorny\/paths-filter@/.test(str(s.uses)));
  if (!step || !/outputs\.changes\b/.test(output)) return undefined;
  return Object.keys(parseFilters(str((step.with as Doc).filters)));
}

function parseFilters(text: string): Record<string, unknown> {
  // The filters are YAML: one key per filter; the values (globs) do not matter here.
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([\w-]+):\s*$/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined)
      .map((k) => [k, true]),
  );
}

/** A script without its comment lines: a command named in a comment never runs. */
function withoutComments(script: string): string {
  return script
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}

function resolveStep(s: Doc, index: number, b: Bindings): ResolvedStep {
  const env = Object.fromEntries(
    Object.entries((s.env ?? {}) as Doc).map(([k, v]) => [k, evaluate(str(v), b)]),
  );
  // Shell references to the step's env are what the command sees: substitute them too.
  const run =
    s.run === undefined
      ? undefined
      : evaluate(withoutComments(str(s.run)), b).replace(
          /\$\{?(\w+)\}?/g,
          (whole, name: string) => env[name] ?? whole,
        );
  const withs = Object.fromEntries(
    Object.entries((s.with ?? {}) as Doc).map(([k, v]) => [k, evaluate(str(v), b)]),
  );
  return {
    name: str(s.name) || str(s.uses) || `step ${index + 1}`,
    ...(s.uses === undefined ? {} : { uses: str(s.uses) }),
    ...(run === undefined ? {} : { run }),
    with: withs,
  };
}

/** One row of the generated variables table: a variable, where it is set, and the output giving its value. */
export interface VariableRow {
  readonly variable: string;
  /** `repository`, or the environment's name. */
  readonly setOn: string;
  readonly stackName: string;
  readonly output: string;
}

/** The variables table of `.github/workflows/README.md` (the generated `ci-variables` section). */
export function variableRows(readme: string): VariableRow[] {
  const rows: VariableRow[] = [];
  for (const line of readme.split('\n')) {
    const m =
      /^\|\s*`(\w+)`\s*\|\s*(repository|environment `([\w-]+)`)\s*\|\s*`([\w-]+)`\s*`(\w+)`\s*\|/.exec(line);
    if (m) rows.push({ variable: m[1]!, setOn: m[3] ?? 'repository', stackName: m[4]!, output: m[5]! });
  }
  return rows;
}

export function workflowsReadme(): string {
  return readFileSync(join(REPO_ROOT, '.github', 'workflows', 'README.md'), 'utf8');
}

export interface CiIdentityInput {
  readonly workflows: readonly Workflow[];
  /** The scenarios; the real stages' templates are what gets deployed. */
  readonly scenarios: readonly ScenarioArtifacts[];
  readonly readme: string;
}

interface FoundRole {
  readonly stage: ScenarioArtifacts;
  readonly template: CfnTemplate;
  readonly logicalId: string;
  readonly role: CfnResource;
  readonly variable: string;
}

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
  readonly Principal?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** The statements a role is allowed by: its inline policies and every AWS::IAM::Policy attached to it. */
function allowStatements(t: CfnTemplate, logicalId: string, role: CfnResource): Statement[] {
  const inline = list(role.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]);
  const attached = resourcesOfType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles ?? []).includes(`"Ref":"${logicalId}"`))
    .map(([, p]) => p.Properties as { PolicyDocument: { Statement: Statement[] } });
  return [...inline, ...attached]
    .flatMap((p) => list(p.PolicyDocument.Statement))
    .filter((s) => s.Effect === 'Allow');
}

function allows(statements: readonly Statement[], action: string, resource?: string): boolean {
  return statements.some(
    (s) =>
      list(s.Action).some((a) => glob(a).test(action)) &&
      (resource === undefined ||
        list(s.Resource).some((r) => r === '*' || JSON.stringify(r).includes(resource))),
  );
}

/** The `sub` patterns (and whether each is a wildcard match) and the `aud` a role's trust policy demands. */
function trustOf(role: CfnResource): {
  subs: { pattern: string; like: boolean }[];
  aud: string[];
  federated: boolean;
} {
  const doc = role.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] } | undefined;
  const subs: { pattern: string; like: boolean }[] = [];
  const aud: string[] = [];
  let federated = false;
  for (const s of list(doc?.Statement)) {
    if (s.Effect !== 'Allow' || !list(s.Action).includes('sts:AssumeRoleWithWebIdentity')) continue;
    federated = true;
    for (const [operator, conditions] of Object.entries(s.Condition ?? {})) {
      for (const v of list(conditions[SUB])) subs.push({ pattern: v, like: /Like/.test(operator) });
      if (operator === 'StringEquals') aud.push(...list(conditions[AUD]));
    }
  }
  return { subs, aud, federated };
}

const subjectAdmitted = (p: { pattern: string; like: boolean }, subject: string) =>
  p.like ? glob(p.pattern).test(subject) : p.pattern === subject;

/** The stage (real scenario) and role an ARN variable leads to, or the finding that breaks the chain. */
function followVariable(
  run: JobRun,
  variable: string,
  rows: readonly VariableRow[],
  stages: readonly ScenarioArtifacts[],
): FoundRole | string {
  const name = variable.replace(/^vars:/, '');
  if (!variable.startsWith('vars:')) {
    return `${run.label}: role-to-assume is ${variable}, not a documented variable (vars.<NAME>)`;
  }
  // An environment's variable shadows the repository's of the same name.
  const row =
    rows.find((r) => r.variable === name && run.environment !== undefined && r.setOn === run.environment) ??
    rows.find((r) => r.variable === name && r.setOn === 'repository');
  if (!row) {
    return `${run.label}: assumes vars.${name}${run.environment ? ` (environment ${run.environment})` : ''}, which the variables table of .github/workflows/README.md maps to no stack output`;
  }
  for (const stage of stages) {
    for (const [stackId, stackName] of Object.entries(stage.stackNames)) {
      if (stackName !== row.stackName) continue;
      const t = stage.templates[stackId as keyof typeof stage.templates]!;
      const value = t.Outputs?.[row.output]?.Value as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const logicalId = value?.['Fn::GetAtt']?.[1] === 'Arn' ? value['Fn::GetAtt'][0] : undefined;
      const role = logicalId ? t.Resources[logicalId] : undefined;
      if (!logicalId || role?.Type !== 'AWS::IAM::Role') {
        return `${run.label}: vars.${name} is documented as ${row.stackName} output ${row.output}, which is not the ARN of an AWS::IAM::Role the CDK app creates`;
      }
      return { stage, template: t, logicalId, role, variable: name };
    }
  }
  return `${run.label}: vars.${name} is documented as an output of ${row.stackName}, a stack the CDK app does not synthesize`;
}

/** Every finding about the identities the workflows use; none on what the project produces. */
export function ciIdentityFindings(input: CiIdentityInput): string[] {
  const findings: string[] = [];
  const rows = variableRows(input.readme);
  const stages = input.scenarios.filter((s) => isRealStage(s.scenario));
  const users = new Map<string, { found: FoundRole; runs: JobRun[] }>();

  for (const run of jobRuns(input.workflows)) {
    let active: FoundRole | undefined;
    let loginRole: FoundRole | undefined;
    for (const step of run.steps) {
      if (/^aws-actions\/configure-aws-credentials@/.test(step.uses ?? '')) {
        const followed = followVariable(run, step.with['role-to-assume'] ?? '', rows, stages);
        if (typeof followed === 'string') {
          findings.push(followed);
          active = undefined;
          continue;
        }
        active = followed;
        const key = `${followed.stage.scenario.name}/${followed.logicalId}`;
        const entry = users.get(key) ?? { found: followed, runs: [] };
        if (!entry.runs.includes(run)) entry.runs.push(run);
        users.set(key, entry);
        continue;
      }
      if (/^aws-actions\/amazon-ecr-login@/.test(step.uses ?? '')) loginRole = active;
      findings.push(...cdkCommandFindings(run, step, active));
      for (const row of STEP_NEEDS) {
        if (!row.matches(step)) continue;
        // Image reads and writes use the registry login's credentials, which may be an earlier role's.
        const role = row.step.startsWith('image push') ? (loginRole ?? active) : active;
        if (!role) {
          findings.push(`${run.label}: step "${step.name}" (${row.step}) runs without an AWS role`);
          continue;
        }
        const statements = allowStatements(role.template, role.logicalId, role.role);
        for (const need of row.needs(step)) {
          for (const action of need.actions) {
            if (!allows(statements, action, need.resource)) {
              findings.push(
                `${run.label}: step "${step.name}" needs ${action}${need.resource ? ` on ${need.resource}*` : ''} (${need.why}); vars.${role.variable} (${role.stage.stackNames.CiIdentity} ${role.logicalId}) does not allow it`,
              );
            }
          }
        }
        if (row.clusterAccess) findings.push(...clusterAccessFindings(run, role));
      }
    }
  }

  for (const { found, runs } of users.values()) {
    findings.push(...trustFindings(found, runs));
  }
  // A role GitHub may assume that no job uses is standing access nobody needs.
  for (const stage of stages) {
    for (const [stackId, t] of Object.entries(stage.templates)) {
      for (const [logicalId, role] of resourcesOfType(t!, 'AWS::IAM::Role')) {
        const trust = JSON.stringify(role.Properties?.AssumeRolePolicyDocument ?? {});
        if (!trust.includes(SUB) || users.has(`${stage.scenario.name}/${logicalId}`)) continue;
        findings.push(
          `role ${str(role.Properties?.RoleName) || logicalId} (${stage.stackNames[stackId as keyof typeof stage.stackNames]}) trusts GitHub, but no workflow job assumes it`,
        );
      }
    }
  }
  // A job runs once per event that triggers it; the same defect is reported once.
  return [...new Set(findings)];
}

function roleName(found: FoundRole): string {
  return str(found.role.Properties?.RoleName) || found.logicalId;
}

/** The trust admits every subject of the jobs using the role, and nothing else; read-only if a PR may use it. */
function trustFindings(found: FoundRole, runs: readonly JobRun[]): string[] {
  const findings: string[] = [];
  const name = roleName(found);
  const trust = trustOf(found.role);
  if (!trust.federated) return [`role ${name}: its trust policy admits no GitHub OIDC web identity`];
  if (!trust.aud.includes('sts.amazonaws.com')) {
    findings.push(`role ${name}: its trust does not require ${AUD} = sts.amazonaws.com (StringEquals)`);
  }
  const subjects = [...new Set(runs.flatMap((r) => r.subjects))];
  for (const run of runs) {
    for (const subject of run.subjects) {
      if (!trust.subs.some((p) => subjectAdmitted(p, subject))) {
        findings.push(`role ${name}: its trust does not admit ${subject}, the OIDC subject of ${run.label}`);
      }
    }
  }
  for (const p of trust.subs) {
    // A wildcard admits subjects no job has unless some job's own subject is that same pattern.
    const used =
      p.like && /[*?]/.test(p.pattern)
        ? subjects.includes(p.pattern)
        : subjects.some((s) => subjectAdmitted(p, s));
    if (!used) findings.push(`role ${name}: its trust admits ${p.pattern}, which no job that uses it has`);
  }
  if (
    trust.subs.some((p) => subjectAdmitted(p, githubSubject.pullRequest()) || /pull_request/.test(p.pattern))
  ) {
    const statements = allowStatements(found.template, found.logicalId, found.role);
    const writes = statements.flatMap((s) =>
      list(s.Action).filter(
        (a) =>
          !READ_ONLY.test(a) &&
          a !== 'ecr:GetAuthorizationToken' &&
          !(
            /^sts:(AssumeRole|TagSession)$/.test(a) &&
            list(s.Resource).every((r) => JSON.stringify(r).includes(bootstrapRole('lookup')))
          ),
      ),
    );
    if (writes.length > 0 || list(found.role.Properties?.ManagedPolicyArns).length > 0) {
      findings.push(
        `role ${name}: trusted for pull requests (unreviewed code) yet can write: ${[...new Set(writes)].join(', ') || 'managed policies'}`,
      );
    }
  }
  return findings;
}

/** kubectl needs an access entry for the role in the stage's cluster, and a reachable endpoint. */
function clusterAccessFindings(run: JobRun, role: FoundRole): string[] {
  const findings: string[] = [];
  const cluster = role.stage.templates.Cluster;
  const name = roleName(role);
  const entries = cluster ? resourcesOfType(cluster, 'AWS::EKS::AccessEntry') : [];
  const entry = entries.find(([, e]) =>
    JSON.stringify(e.Properties?.PrincipalArn ?? '').includes(`role/${name}`),
  )?.[1];
  if (!entry) {
    findings.push(
      `${run.label}: runs kubectl as ${name}, which has no AWS::EKS::AccessEntry in ${role.stage.stackNames.Cluster}`,
    );
  }
  // EKS's access policies cover built-in kinds only: reading Rollouts needs the entry to put the role in a
  // Kubernetes group that the app namespace's RBAC lets read them.
  if (entry && run.steps.some((s) => READS_ROLLOUTS.test(s.run ?? ''))) {
    const groups = list(entry.Properties?.KubernetesGroups as string | string[] | undefined);
    const granted = groupsGranted(allManifests(role.stage), APP_NAMESPACE, ROLLOUTS);
    if (!groups.some((g) => granted.has(g))) {
      findings.push(
        `${run.label}: reads Argo Rollouts in ${APP_NAMESPACE} as ${name}, whose access entry's Kubernetes groups (${groups.join(', ') || 'none'}) no RoleBinding there lets get ${ROLLOUTS.resource}.${ROLLOUTS.apiGroup}`,
      );
    }
  }
  // Every endpoint is limited: a private one to the VPC, a public one to publicAccessCidrs (the model
  // refuses /0), and GitHub-hosted runners come from ranges none lists. Only a runner the repository
  // names reaches it: self-hosted labels written in, or the variable the model declares for them.
  const { endpointAccess, publicAccessCidrs } = role.stage.stage.cluster;
  if (!run.selfHosted && !run.runsOn.includes(`vars.${CLUSTER_RUNNER_VARIABLE}`)) {
    const endpoint =
      endpointAccess === 'private' ? 'is private' : `admits only ${publicAccessCidrs.join(', ')}`;
    findings.push(
      `${run.label}: runs kubectl against ${role.stage.scenario.name}'s cluster, whose endpoint ${endpoint}, from a GitHub-hosted runner (runs-on ${run.runsOn}) instead of vars.${CLUSTER_RUNNER_VARIABLE}'s`,
    );
  }
  return findings;
}

/** A step that reads Rollouts: deploy/pipeline's wait scripts (`kubectl get rollout`), or kubectl itself. */
const READS_ROLLOUTS = /wait-for-(rollout|workloads)\.sh|\bkubectl\b[^\n]*\bget\s+rollouts?\b/;
const ROLLOUTS = { apiGroup: 'argoproj.io', resource: 'rollouts', verb: 'get' } as const;

interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs?: readonly string[];
}

/** The groups that RoleBindings in `namespace` (or ClusterRoleBindings) let do `want`, by Kubernetes RBAC's rules. */
function groupsGranted(
  objects: readonly K8sObject[],
  namespace: string,
  want: { readonly apiGroup: string; readonly resource: string; readonly verb: string },
): Set<string> {
  const matches = (values: readonly string[] | undefined, value: string) =>
    (values ?? []).some((v) => v === '*' || v === value);
  const allows = (rules: unknown) =>
    list(rules as PolicyRule[] | undefined).some(
      (r) =>
        matches(r.apiGroups, want.apiGroup) &&
        matches(r.resources, want.resource) &&
        matches(r.verbs, want.verb),
    );
  const roles = objects.filter(
    (o) => (o.kind === 'Role' && o.metadata?.namespace === namespace) || o.kind === 'ClusterRole',
  );
  const groups = new Set<string>();
  for (const binding of objects) {
    const inScope =
      (binding.kind === 'RoleBinding' && binding.metadata?.namespace === namespace) ||
      binding.kind === 'ClusterRoleBinding';
    if (!inScope) continue;
    const ref = (binding as { roleRef?: { kind?: string; name?: string } }).roleRef;
    const role = roles.find((r) => r.kind === ref?.kind && r.metadata?.name === ref?.name);
    if (!role || !allows((role as { rules?: unknown }).rules)) continue;
    for (const subject of list((binding as { subjects?: { kind?: string; name?: string }[] }).subjects)) {
      if (subject.kind === 'Group' && subject.name) groups.add(subject.name);
    }
  }
  return groups;
}

/** `cdk deploy|diff`: only context keys the app reads, only the role's stage's stacks by display path. */
function cdkCommandFindings(run: JobRun, step: ResolvedStep, role: FoundRole | undefined): string[] {
  const findings: string[] = [];
  for (const m of (step.run ?? '').matchAll(/\bnpx\s+cdk\s+(deploy|diff|synth)\b((?:[^\n|&;>]|\\\n)*)/g)) {
    const verb = m[1]!;
    const args = [...m[2]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2] ?? a[3]!);
    const selectors: string[] = [];
    const context: Record<string, string> = {};
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-c' || a === '--context') {
        const [key, ...value] = (args[++i] ?? '').split('=');
        context[key!] = value.join('=');
      } else if (a === '--require-approval' || a === '--app' || a === '-a' || a === '--profile') i++;
      // A bare number is the file descriptor of a redirection (`2>&1`), not a stack.
      else if (!a.startsWith('-') && !/^\d+$/.test(a)) selectors.push(a);
      else if (a === '--all') selectors.push('--all');
    }
    const where = `${run.label}: cdk ${verb}`;
    for (const key of Object.keys(context)) {
      if (
        !(Object.values(CONTEXT_KEYS) as string[]).includes(key) &&
        !CONTEXT_KEY_PATTERNS.some((p) => p.test(key))
      ) {
        findings.push(
          `${where} passes -c ${key}=…, a context key the CDK app never reads (it reads ${Object.values(CONTEXT_KEYS).join(', ')})`,
        );
      }
    }
    if (verb === 'synth' || !role) continue;
    const stage = role.stage;
    const stackIds = Object.keys(stage.stackNames);
    if (selectors.length === 0 || selectors.includes('--all')) {
      findings.push(
        `${where} selects every stack of the app (${selectors.length === 0 ? 'no selector' : '--all'}), not only ${stage.scenario.name}'s`,
      );
    }
    for (const s of selectors.filter((x) => x !== '--all')) {
      const [stageId, stackId] = s.split('/');
      if (stageId !== stage.scenario.name || !(stackId === '*' || stackIds.includes(stackId ?? ''))) {
        findings.push(
          `${where} selects ${s}; its role is ${stage.scenario.name}'s, whose stacks are ${stage.scenario.name}/<${stackIds.join('|')}>`,
        );
      }
    }
    const only = context[CONTEXT_KEYS.stages];
    if (only !== undefined && only !== stage.scenario.name) {
      findings.push(`${where} synthesizes stages ${only} with ${stage.scenario.name}'s role`);
    }
    if (verb === 'deploy' && run.environment !== stage.scenario.name) {
      findings.push(
        `${where} deploys ${stage.scenario.name} outside its GitHub environment (${run.environment ?? 'none'})`,
      );
    }
  }
  return findings;
}
