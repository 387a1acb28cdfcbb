import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const apiDir = fileURLToPath(new URL('../../../apps/api/', import.meta.url));

export interface ApiProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (JSON log lines and errors). */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has ended on its own. */
  exited(): Promise<number | null>;
}

/**
 * Limits far above what a person does, for API processes that suites and drills drive faster than people:
 * sign-ins, registrations and writes. The limits themselves have suites of their own that set them low.
 */
export const GENEROUS_LIMITS: Readonly<Record<string, string>> = {
  AUTH_RATE_LIMIT_MAX: '100000',
  AUTH_ACCOUNT_FAILURE_MAX: '100000',
  ARTICLE_RATE_LIMIT_MAX: '100000',
  COMMENT_RATE_LIMIT_MAX: '100000',
  TAG_RATE_LIMIT_MAX: '100000',
};

export interface ApiProcessOptions {
  /** Environment of the API on top of test defaults (NODE_ENV=test, random JWT_SECRET, a free PORT). */
  readonly env?: Record<string, string>;
  /** Wait until GET /readyz answers 200 (default) or only until /healthz answers. */
  readonly waitFor?: 'ready' | 'live' | 'nothing';
  readonly timeoutMs?: number;
  /** The node binary, e.g. Node 24 from tools/node24. */
  readonly node?: string;
}

/**
 * Starts the real API server (`apps/api/src/server.ts`) as its own process, as `npm start` does, so tests
 * can exercise signals, exit codes and the whole boot path.
 */
export async function startApiProcess(options: ApiProcessOptions = {}): Promise<ApiProcess> {
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const child = spawn(options.node ?? process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: apiDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      JWT_SECRET: randomBytes(32).toString('hex'),
      ...GENEROUS_LIMITS,
      ...options.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const url = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    url,
    port,
    child,
    output: () => output,
    exited: () => exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
  const waitFor = options.waitFor ?? 'ready';
  if (waitFor === 'nothing') return api;
  const path = waitFor === 'ready' ? '/readyz' : '/healthz';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`API exited with ${child.exitCode} before ${path} answered:\n${output}`);
    const status = await fetch(url + path).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return api;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await api.stop('SIGKILL');
  throw new Error(`API did not answer ${path} with 200 within the timeout:\n${output}`);
}
