import { WORKLOADS, type Workload } from '@conduit/platform';
import { runCli } from '../src/cli.js';
import type { Deps, Migrator } from '../src/lib/context.js';
import { FakeAws } from './fake-aws.js';
import { FakeKube } from './fake-kube.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

export interface Harness {
  readonly kube: FakeKube;
  readonly aws: FakeAws;
  /** Questions the CLI asked; `answer` is what the fake terminal replies. */
  readonly questions: string[];
  answer: boolean;
  /** What the fake stdin gives a typed question (`ask`); null: nothing (no terminal, no pipe). */
  typed: string | null;
  /** Typed questions the CLI asked. */
  readonly asked: string[];
  /** Called on every sleep of the CLI: the fake controllers act and the fake clock moves on. */
  readonly onSleep: ((ms: number) => void)[];
  /** Set to make "no kube context" the outcome of building the Kubernetes client. */
  kubeError: Error | null;
  migrator: Migrator | null;
  now: Date;
  env: NodeJS.ProcessEnv;
  /** The platform's workloads the CLI sees; the model's unless a test adds fixture entries. */
  workloads: readonly Workload[];
  run(...argv: string[]): Promise<RunResult>;
}

/** Runs the real CLI in-process against the fake Kubernetes and AWS APIs. */
export function harness(): Harness {
  const h: Harness = {
    kube: new FakeKube(),
    aws: new FakeAws(),
    questions: [],
    answer: false,
    typed: null,
    asked: [],
    onSleep: [],
    kubeError: null,
    migrator: null,
    now: new Date('2025-03-10T03:30:00Z'),
    env: {},
    workloads: WORKLOADS,
    async run(...argv) {
      const out: string[] = [];
      const err: string[] = [];
      const deps: Deps = {
        stdout: (text) => out.push(text),
        stderr: (text) => err.push(text),
        env: h.env,
        kube: async () => {
          if (h.kubeError) throw h.kubeError;
          return h.kube;
        },
        aws: async () => h.aws,
        confirm: async (question) => {
          h.questions.push(question);
          return h.answer;
        },
        ask: async (question) => {
          h.asked.push(question);
          return h.typed;
        },
        spinner: () => ({ succeed() {}, fail() {} }),
        migrator: async () => {
          if (!h.migrator) throw new Error('no migrator in this test');
          return h.migrator;
        },
        now: () => h.now,
        sleep: async (ms) => {
          for (const hook of h.onSleep) hook(ms);
        },
        workloads: h.workloads,
      };
      const code = await runCli(argv, deps);
      const stdout = out.join('\n');
      return { code, stdout, stderr: err.join('\n'), json: () => JSON.parse(stdout) };
    },
  };
  h.aws.now = () => h.now;
  return h;
}
