import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSpinner } from 'nanospinner';
import { runCli } from './cli.js';
import { loadApiMigrator } from './lib/migrator.js';

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Reads one typed line, from a terminal or a pipe (`echo prod | conduit teardown prod --yes`): a typed
 * confirmation is a deliberate act either way, unlike a y/N that a pipe must not answer.
 */
async function ask(question: string): Promise<string | null> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('close', () => resolve(null));
      rl.question(question).then(resolve, () => resolve(null));
    });
    return line === null ? null : line.trim();
  } finally {
    rl.close();
  }
}

const quiet = { succeed() {}, fail() {} };

// `conduit status | head` closes stdout early; that is the reader's choice, not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  kube: async (facts, context) => (await import('./lib/kube-client.js')).createKubeApi(facts, context),
  aws: async (facts) => (await import('./lib/aws-client.js')).createAwsApi(facts.region),
  confirm,
  ask,
  spinner: (text) => {
    if (!process.stderr.isTTY) return quiet;
    const spinner = createSpinner(text, { stream: process.stderr }).start();
    return { succeed: () => spinner.success(), fail: () => spinner.error() };
  },
  migrator: loadApiMigrator,
  now: () => new Date(),
  sleep: (ms) => sleep(ms),
});
