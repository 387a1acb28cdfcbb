import type { Workload } from '@conduit/platform';
import type { AwsApi } from './aws-api.js';
import { CliError, credentialsError, refusedError } from './errors.js';
import type { KubeApi } from './kube-api.js';
import type { StageFacts } from './stages.js';

export type OutputFormat = 'json' | 'table';

export interface Spinner {
  succeed(text?: string): void;
  fail(text?: string): void;
}

/** What a migration runner offers; the default loads the API's own runner (apps/api/src/db/migrate.ts). */
export interface Migrator {
  run(databaseUrl: string, log: (line: string) => void): Promise<string[]>;
  status(databaseUrl: string): Promise<{ applied: readonly string[]; pending: readonly string[] }>;
}

/** Everything the commands touch outside the process, injected so tests pass fakes. */
export interface Deps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Factories are async so the SDKs load only for commands that need them (help stays fast). */
  readonly kube: (facts: StageFacts, context?: string) => Promise<KubeApi>;
  readonly aws: (facts: StageFacts) => Promise<AwsApi>;
  /** Asks a yes/no question; false when nobody can answer (no TTY). */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Asks for a typed answer (a terminal or a piped line); null when stdin has nothing to give. */
  readonly ask: (question: string) => Promise<string | null>;
  readonly spinner: (text: string) => Spinner;
  readonly migrator: () => Promise<Migrator>;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** The workloads of the platform. @default the model's WORKLOADS (tests add fixture entries) */
  readonly workloads?: readonly Workload[];
}

export interface GlobalOptions {
  readonly stage: string;
  readonly output: OutputFormat;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly context?: string;
  readonly pgBinDir?: string;
}

/** A change the CLI is about to make: printed under --dry-run, executed otherwise. */
export interface Action {
  readonly description: string;
  run(): Promise<void>;
}

// Names the SDK's credential chain and STS use for "who are you?" failures.
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'TokenProviderError',
]);

export class Context {
  #kube: Promise<KubeApi> | undefined;
  #aws: Promise<{ api: AwsApi; account: string }> | undefined;

  constructor(
    readonly facts: StageFacts,
    readonly options: GlobalOptions,
    readonly deps: Deps,
  ) {}

  kube(): Promise<KubeApi> {
    this.#kube ??= this.deps.kube(this.facts, this.options.context);
    return this.#kube;
  }

  /** The AWS adapter after proving there are credentials; the account names the backup bucket. */
  aws(): Promise<{ api: AwsApi; account: string }> {
    this.#aws ??= (async () => {
      const api = await this.deps.aws(this.facts);
      try {
        const { account } = await api.whoami();
        return { api, account };
      } catch (error) {
        throw asCredentialsError(error);
      }
    })();
    return this.#aws;
  }

  /** Gates a change: prod needs --yes for the listed operations; elsewhere ask unless --yes. */
  async confirm(what: string, { prodNeedsYes }: { prodNeedsYes: boolean }): Promise<void> {
    if (this.options.yes || this.options.dryRun) return;
    if (prodNeedsYes && this.facts.stage === 'prod') {
      throw refusedError(`refusing to ${what} in prod without --yes`);
    }
    const ok = await this.deps.confirm(`${what} in ${this.facts.stage}? [y/N] `);
    if (!ok) throw refusedError(`${what} not confirmed (pass --yes to skip the question)`);
  }

  /** Runs actions in order, or lists them under --dry-run; returns their descriptions for the report. */
  async apply(actions: readonly Action[]): Promise<string[]> {
    for (const action of actions) {
      if (this.options.dryRun) {
        if (this.options.output === 'table') this.deps.stdout(`[dry-run] would ${action.description}`);
        continue;
      }
      await this.step(action.description, () => action.run());
    }
    return actions.map((a) => a.description);
  }

  /** Long steps show a spinner on a terminal; the spinner writes to stderr so stdout stays parseable. */
  async step<T>(text: string, work: () => Promise<T>): Promise<T> {
    const spinner = this.deps.spinner(text);
    try {
      const result = await work();
      spinner.succeed();
      return result;
    } catch (error) {
      spinner.fail();
      throw error;
    }
  }

  /** Prints a command's result: the JSON document, or the human rendering. */
  print(result: object, table: () => string): void {
    this.deps.stdout(this.options.output === 'json' ? JSON.stringify(result, null, 2) : table());
  }

  /** The database URL of a command: --database-url or DATABASE_URL. */
  databaseUrl(flag: string | undefined): string {
    const url = flag ?? this.deps.env.DATABASE_URL;
    if (!url) throw new CliError('no database URL: pass --database-url or set DATABASE_URL', 2);
    return url;
  }
}

export function asCredentialsError(error: unknown): Error {
  if (error instanceof CliError) return error;
  const name = (error as { name?: string })?.name ?? '';
  if (CREDENTIAL_ERRORS.has(name)) {
    return credentialsError(
      `no usable AWS credentials (${name}): set AWS_PROFILE or run "aws sso login", or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
    );
  }
  return error as Error;
}
