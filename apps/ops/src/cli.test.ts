import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { harness } from '../test/harness.js';
import { createKubeApi } from './lib/kube-client.js';
import { stageFacts } from './lib/stages.js';

const COMMANDS = ['status', 'scale', 'stop', 'start', 'rollout', 'db', 'backup', 'restore', 'teardown'];

describe('conduit help and usage errors', () => {
  it('--help lists every command, the global flags and the exit codes', async () => {
    const result = await harness().run('--help');
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const flag of ['--stage <stage>', '--output <format>', '--dry-run', '--yes', '--context <name>']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/Exit codes:\n\s+0 {2}success\n\s+1 {2}the operation failed/);
    expect(result.stdout).toContain('3  no AWS credentials or no kube context for the stage');
  });

  it('every subcommand has help of its own', async () => {
    const h = harness();
    const expectations: [string[], string][] = [
      [['rollout', '--help'], 'Usage: conduit rollout [options] [command]'],
      [['rollout', 'promote', '--help'], '--full'],
      [['db', '--help'], 'migrate [options]'],
      [['backup', '--help'], 'drill [options]'],
      [['backup', 'run', '--help'], '--pushgateway <url>'],
      [['restore', '--help'], '--into-live'],
      [['scale', '--help'], '--max <replicas>'],
      [['start', '--help'], '--wait'],
      [['teardown', '--help'], '--timeout <duration>'],
    ];
    for (const [argv, text] of expectations) {
      const result = await h.run(...argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(text);
    }
    const backup = await h.run('backup', '--help');
    for (const sub of ['create', 'list', 'verify', 'run', 'drill'])
      expect(backup.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it('an unknown stage is one line and exit 2, before any API is touched', async () => {
    const h = harness();
    const result = await h.run('status', '--stage', 'qa');
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'conduit: unknown stage "qa" (expected one of dev, staging, prod)',
    });
    expect([h.kube.calls, h.aws.calls]).toEqual([[], []]);
  });

  it('unknown commands, options and bad --output values are usage errors (exit 2, one line)', async () => {
    const h = harness();
    const cases: [string[], string][] = [
      [['statuz'], "conduit: unknown command 'statuz'"],
      [['status', '--force'], "conduit: unknown option '--force'"],
      [
        ['status', '-o', 'yaml'],
        "conduit: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are table, json.",
      ],
      [['scale', 'api'], "conduit: missing required argument 'replicas'"],
    ];
    for (const [argv, message] of cases) {
      const result = await h.run(...argv);
      expect([result.code, result.stderr]).toEqual([2, message]);
    }
  });

  it('takes the stage from CONDUIT_STAGE', async () => {
    const h = harness();
    h.env = { CONDUIT_STAGE: 'staging' };
    expect((await h.run('rollout', 'status', 'api', '-o', 'json')).json().stage).toBe('staging');
  });

  it('a missing kube context is one line and exit 3', async () => {
    const h = harness();
    const { credentialsError } = await import('./lib/errors.js');
    h.kubeError = credentialsError('no kube context for cluster conduit-dev');
    const result = await h.run('rollout', 'status', 'api');
    expect([result.code, result.stderr]).toEqual([3, 'conduit: no kube context for cluster conduit-dev']);
  });
});

describe('kube context selection (real kubeconfig file, no cluster)', () => {
  const kubeconfig = (current: string, clusters: string[]) => `apiVersion: v1
kind: Config
current-context: ${current}
clusters:
${clusters.map((c) => `- name: ${c}\n  cluster:\n    server: https://127.0.0.1:1`).join('\n')}
contexts:
${clusters.map((c) => `- name: ctx-${c.split('/').pop()}\n  context:\n    cluster: ${c}\n    user: u`).join('\n')}
users:
- name: u
  user:
    token: not-a-secret
`;

  async function withKubeconfig<T>(text: string, work: () => T): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'conduit-kube-'));
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'config');
    await writeFile(process.env.KUBECONFIG, text);
    try {
      return work();
    } finally {
      if (previous === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = previous;
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('picks the context whose cluster is conduit-<stage>, even when another one is current', async () => {
    const api = await withKubeconfig(
      kubeconfig('ctx-other', [
        'arn:aws:eks:eu-west-1:1:cluster/other',
        'arn:aws:eks:eu-west-1:1:cluster/conduit-staging',
      ]),
      () => createKubeApi(stageFacts('staging')),
    );
    expect(api.context).toBe('ctx-conduit-staging');
  });

  it('without a context for the stage, says which cluster and how to add it (exit 3)', async () => {
    const error = await withKubeconfig(
      kubeconfig('ctx-conduit-dev', ['arn:aws:eks:eu-west-1:1:cluster/conduit-dev']),
      () => {
        try {
          createKubeApi(stageFacts('prod'));
          return null;
        } catch (e) {
          return e as { exitCode: number; message: string };
        }
      },
    );
    expect(error?.exitCode).toBe(3);
    expect(error?.message).toBe(
      'no kube context for cluster conduit-prod; run: aws eks update-kubeconfig --name conduit-prod --region us-east-1',
    );
  });
});

describe('bin/conduit.js on this Node (real process)', () => {
  it('runs from source through tsx: --help exits 0, an unknown stage exits 2 with one line', async () => {
    const bin = new URL('../bin/conduit.js', import.meta.url).pathname;
    const run = promisify(execFile);
    const help = await run(process.execPath, [bin, '--help']);
    expect(help.stdout).toContain('Usage: conduit [options] [command]');
    const bad = await run(process.execPath, [bin, 'status', '--stage', 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'conduit: unknown stage "nope" (expected one of dev, staging, prod)\n',
    });
  });
});
