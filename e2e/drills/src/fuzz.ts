import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { type Account, type Expectation, FAMILIES, type Probe, type World } from './lib/fuzz-cases.js';
import { changedTables, tableChecksums } from './lib/fuzz-db.js';
import { CONTENT_FAMILIES, type ContentContext, type Scenario } from './lib/fuzz-hostile.js';
import {
  type Answer,
  describeAnswer,
  errorShapeProblem,
  type FuzzClient,
  fuzzClient,
} from './lib/fuzz-http.js';
import { type Operation, operationsOf } from './lib/fuzz-schema.js';
import { type Budget, type DrillResult, ms, Report } from './lib/report.js';
import { startStack } from './lib/stack.js';

/** Where @fastify/swagger-ui serves the OpenAPI document (routePrefix `/api/docs` in the docs plugin). */
const DOCS_PATH = '/api/docs/json';
/** The API's default BODY_LIMIT_BYTES, set explicitly so the oversized cases know where the limit is. */
const BODY_LIMIT = 1_048_576;
const DEFAULT_SEED = 20_251_123;
/** Properties run side by side in the rejected-request phase (each one sends its cases one at a time). */
const CONCURRENCY = 8;
/** The full budget runs this many times the cases of the CI budget. */
const FULL_SCALE = 10;

/** Why the answer does not meet the expectation, or undefined. */
export function verdict(expect: Expectation, answer: Answer): string | undefined {
  if (answer.error) return describeAnswer(answer);
  if (answer.status >= 500) return `server error ${describeAnswer(answer)}`;
  if (expect === 'no-match' && answer.status === 200) {
    let body: { articlesCount?: unknown; articles?: unknown[] };
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      return `200 that is not JSON: ${describeAnswer(answer)}`;
    }
    return body.articlesCount === 0 && body.articles?.length === 0
      ? undefined
      : `a filter that matches nothing listed ${String(body.articlesCount)} articles`;
  }
  if (expect === 'accept') return answer.status < 300 ? undefined : `refused: ${describeAnswer(answer)}`;
  if (answer.status < 400) return expect === 'reject' ? `accepted: ${describeAnswer(answer)}` : undefined;
  const problem = errorShapeProblem(answer);
  return problem
    ? `${answer.status} not in the error shape (${problem}): ${describeAnswer(answer)}`
    : undefined;
}

interface Outcome {
  readonly family: string;
  cases: number;
  /** Operations the family ran on. */
  operations: number;
  readonly failures: string[];
  /** Answers by status (`none` when there was no answer). */
  readonly statuses: Map<string, number>;
  /** Cases that only had to be safe (tokens of users that do not exist) and were answered 2xx. */
  tolerated: number;
}

interface Tally {
  readonly byOperation: Map<string, number>;
  readonly outcomes: Map<string, Outcome>;
}

function outcome(tally: Tally, family: string): Outcome {
  let found = tally.outcomes.get(family);
  if (!found) {
    found = { family, cases: 0, operations: 0, failures: [], statuses: new Map(), tolerated: 0 };
    tally.outcomes.set(family, found);
  }
  return found;
}

const opKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** Runs one property; a failure is recorded with what fast-check needs to replay it, not thrown. */
async function runProperty<T>(
  family: Outcome,
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  numRuns: number,
  seed: number,
): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      family.cases++;
      await check(value);
    }),
    { numRuns, seed, endOnFailure: true },
  );
  if (details.failed) {
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    family.failures.push(`${error} (replay: seed ${details.seed}, path ${details.counterexamplePath})`);
  }
}

/** Runs `tasks` with at most `limit` of them at a time. */
async function pool(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

async function expectOk<T>(
  client: FuzzClient,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const answer = await client.send({
    method,
    path,
    headers: {
      ...(token ? { authorization: `Token ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`fixture ${method} ${path}: ${describeAnswer(answer)}`);
  return (answer.text === '' ? undefined : JSON.parse(answer.text)) as T;
}

async function register(client: FuzzClient, username: string): Promise<Account> {
  const email = `${username.replace(/[^a-z]/gi, '') || 'user'}-${randomBytes(3).toString('hex')}@example.org`;
  const password = `password-${randomBytes(6).toString('hex')}`;
  const { user } = await expectOk<{ user: { token: string } }>(client, 'POST', '/api/users', {
    user: { username, email, password },
  });
  return { username, email, password, token: user.token };
}

const slugOf = (json: { article: { slug: string } }) => json.article.slug;

/**
 * Fixtures the rejected requests aim at, such that each of them would change the database if the API let
 * it through: the owner's article and comment to update or delete, a user the owner does not follow yet
 * and one it does, an article it has favorited and one it has not.
 */
async function fixtures(client: FuzzClient, operations: readonly Operation[], secret: string) {
  const [owner, other, third] = [
    await register(client, 'fuzz-owner'),
    await register(client, 'fuzz-other'),
    await register(client, 'fuzz-third'),
  ];
  // Names with unicode: the content scenarios filter by them and address them in URLs.
  const writer = await register(client, 'Écrivain ✍️ writer');
  const reader = await register(client, 'читатель reader');
  const commenter = await register(client, 'commentateur «c»');
  const follower = await register(client, 'フォロワー follower');
  const article = (title: string, account: Account, tagList: string[] = []) =>
    expectOk<{ article: { slug: string } }>(
      client,
      'POST',
      '/api/articles',
      { article: { title, description: 'd', body: 'b', tagList } },
      account.token,
    ).then(slugOf);
  const ownSlug = await article('Fuzz target', owner, ['fuzz', 'ünïcödé']);
  const otherSlug = await article('Not yours', other, ['fuzz']);
  const discussed = await article('Discuss hostile content here', writer);
  const comment = (slug: string, account: Account) =>
    expectOk<{ comment: { id: number } }>(
      client,
      'POST',
      `/api/articles/${slug}/comments`,
      { comment: { body: 'c' } },
      account.token,
    ).then((c) => String(c.comment.id));
  const ownComment = await comment(ownSlug, owner);
  const otherComment = await comment(ownSlug, other);
  await expectOk(client, 'POST', `/api/profiles/${other.username}/follow`, undefined, owner.token);
  await expectOk(client, 'POST', `/api/articles/${otherSlug}/favorite`, undefined, owner.token);
  await expectOk(client, 'POST', `/api/articles/${ownSlug}/favorite`, undefined, other.token);

  const segments = new Set(
    operations.flatMap((op) => op.path.split('/').filter((s) => s !== '' && !s.startsWith('{'))),
  );
  const methods = new Map<string, string[]>();
  for (const op of operations) methods.set(op.path, [...(methods.get(op.path) ?? []), op.method]);
  const accounts = [owner, other, third, writer, reader, commenter, follower];
  const world: World = {
    kit: { secret, valid: owner.token },
    owner,
    other,
    params: (op) => ({
      // Undoing needs something done: the owner follows `other` and has favorited `otherSlug`.
      username: opKey(op) === 'DELETE /api/profiles/{username}/follow' ? other.username : third.username,
      slug: opKey(op) === 'DELETE /api/articles/{slug}/favorite' ? otherSlug : ownSlug,
      id: ownComment,
    }),
    otherSlug,
    otherCommentId: otherComment,
    existing: new Set(
      [
        ...accounts.flatMap((a) => [a.username, a.email]),
        ownSlug,
        otherSlug,
        discussed,
        ownComment,
        otherComment,
        'fuzz',
        'ünïcödé',
        ...segments,
      ].map((value) => value.toLowerCase()),
    ),
    bodyLimit: BODY_LIMIT,
    segments,
    methods,
  };
  return { world, writer, reader, commenter, follower, discussed };
}

function histogram(statuses: Map<string, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(', ');
}

/** Error lines (pino level ≥ 50) of the API's output. */
function loggedErrors(output: string): string[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      return typeof entry.level === 'number' && entry.level >= 50
        ? [`${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 300)]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * Bad input: generated requests against every documented operation. Requests with a defect (malformed or
 * mistyped bodies, oversized input, unicode the database cannot hold, injection strings, bad tokens and
 * parameters) must get a 4xx in the spec's error shape and leave the database byte-for-byte unchanged;
 * valid requests with hostile content must be stored verbatim (read back exactly) or refused with a 4xx.
 * Never a 5xx, never a hang, and the API must still be up and have logged no error afterwards.
 */
export async function fuzzDrill(budget: Budget): Promise<DrillResult> {
  const report = new Report('fuzz');
  const scale = budget === 'ci' ? 1 : FULL_SCALE;
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer (got "${process.env.FUZZ_SEED}")`);
  report.line(`seed ${seed} (FUZZ_SEED=${seed} replays this run)`);
  const started = performance.now();
  const stack = await startStack();
  try {
    const secret = randomBytes(32).toString('hex');
    // Hundreds of writes from a handful of users in seconds: every case introduces new tags, beyond even the
    // generous budgets every drill instance gets (GENEROUS_LIMITS).
    const api = await stack.startInstance({
      JWT_SECRET: secret,
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      TAG_RATE_LIMIT_MAX: '1000000',
    });
    const client = fuzzClient(api.url);
    try {
      const doc = await fetch(`${api.url}${DOCS_PATH}`).then((r) => r.json() as Promise<unknown>);
      const operations = operationsOf(doc);
      const { world, ...users } = await fixtures(client, operations, secret);
      report.line(
        `${operations.length} operations in the OpenAPI document (${DOCS_PATH}); started in ${ms(performance.now() - started)}`,
      );
      const tally: Tally = {
        byOperation: new Map(operations.map((op) => [opKey(op), 0])),
        outcomes: new Map(),
      };

      // 1. Requests with a defect: rejected, and the database does not change.
      const before = await tableChecksums(stack.databaseUrl);
      const rejectStart = performance.now();
      const requestsBefore = client.sent();
      const tasks: (() => Promise<void>)[] = [];
      for (const family of FAMILIES) {
        const targets = operations.filter((op) => family.applies(op, world));
        const runs = Math.max(1, Math.ceil((family.cases * scale) / Math.max(targets.length, 1)));
        const result = outcome(tally, family.name);
        result.operations = targets.length;
        for (const op of targets) {
          const propertySeed = seed + tasks.length;
          tasks.push(() =>
            runProperty(
              result,
              family.probes(op, world),
              async (probe: Probe) => {
                const answer = await client.send(await probe.build());
                tally.byOperation.set(opKey(probe.op), (tally.byOperation.get(opKey(probe.op)) ?? 0) + 1);
                const status = answer.error ? 'none' : String(answer.status);
                result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
                if (probe.expect === 'safe' && answer.status >= 200 && answer.status < 300)
                  result.tolerated++;
                const problem = verdict(probe.expect, answer);
                if (problem) throw new Error(`${opKey(probe.op)} [${probe.what}] → ${problem}`);
              },
              runs,
              propertySeed,
            ),
          );
        }
      }
      await pool(tasks, CONCURRENCY);
      const rejectMs = performance.now() - rejectStart;
      const rejectRequests = client.sent() - requestsBefore;
      const after = await tableChecksums(stack.databaseUrl);

      let rejectCases = 0;
      for (const family of FAMILIES) {
        const result = outcome(tally, family.name);
        rejectCases += result.cases;
        report.line(
          `  ${family.name}: ${result.cases} cases on ${result.operations} operations → ${histogram(result.statuses)}`,
        );
      }
      const tolerated = outcome(tally, 'auth').tolerated;
      if (tolerated > 0) {
        // Tokens are checked by signature: a vanished user reads as anonymous, and writing as them is a 401.
        report.line(
          `  auth: ${tolerated} tokens of users that do not exist were answered 2xx by reads or no-op deletes`,
        );
      }
      report.line(
        `rejected-request phase: ${rejectCases} cases (${rejectRequests} requests) in ${ms(rejectMs)}`,
      );
      for (const family of FAMILIES) {
        const result = outcome(tally, family.name);
        report.check(
          result.failures.length === 0,
          `${family.name}: every case answered as expected (4xx in the error shape, never 5xx or no answer)`,
          result.failures.slice(0, 3).join(' | '),
        );
      }
      const changed = changedTables(before, after);
      report.check(
        changed.length === 0,
        `the database (${before.size} tables) is byte-for-byte unchanged by ${rejectCases} rejected cases`,
        changed.join('; '),
      );

      // 2. Valid requests with hostile content: stored verbatim and read back exactly, or refused with a 4xx.
      const context: ContentContext = {
        client,
        ...users,
        unaddressable: [],
        cover: (method, path) => {
          const key = `${method} ${path}`;
          if (!tally.byOperation.has(key)) throw new Error(`${key} is not in the OpenAPI document`);
          tally.byOperation.set(key, tally.byOperation.get(key)! + 1);
        },
      };
      const contentStart = performance.now();
      const contentRequestsBefore = client.sent();
      await Promise.all(
        CONTENT_FAMILIES.map((family, i) =>
          runProperty(
            outcome(tally, family.name),
            family.scenarios,
            async (scenario: Scenario) => {
              try {
                await scenario.run(context);
              } catch (error) {
                throw new Error(
                  `${scenario.what}: ${error instanceof Error ? error.message : String(error)}`,
                );
              }
            },
            family.cases * scale,
            seed + tasks.length + i,
          ),
        ),
      );
      let contentCases = 0;
      for (const family of CONTENT_FAMILIES) {
        const result = outcome(tally, family.name);
        contentCases += result.cases;
        report.check(
          result.failures.length === 0,
          `${family.name}: ${result.cases} cases stored verbatim and read back exactly, never a 5xx`,
          result.failures.slice(0, 3).join(' | '),
        );
      }
      report.line(
        `hostile-content phase: ${contentCases} cases (${client.sent() - contentRequestsBefore} requests) in ${ms(performance.now() - contentStart)}`,
      );
      if (context.unaddressable.length > 0) {
        report.line(
          `note: usernames ${JSON.stringify(context.unaddressable)} were accepted but are dot segments in a URL`,
        );
      }

      // 3. Every operation was exercised, and the API survived all of it without logging an error.
      const untouched = [...tally.byOperation.entries()]
        .filter(([, count]) => count === 0)
        .map(([key]) => key);
      report.check(
        untouched.length === 0,
        `every one of the ${operations.length} documented operations got cases`,
        untouched.join(', '),
      );
      const alive = api.child.exitCode === null && api.child.signalCode === null;
      const health = alive
        ? await fetch(`${api.url}/healthz`).then(
            (r) => r.status,
            () => 0,
          )
        : 0;
      report.check(
        alive && health === 200,
        'the API is still running and /healthz answers 200',
        `exit ${api.child.exitCode}, /healthz ${health}`,
      );
      const errors = loggedErrors(api.output());
      report.check(
        errors.length === 0,
        'the API logged no error (pino level ≥ 50)',
        `${errors.length}: ${errors.slice(0, 3).join(' | ')}`,
      );
      report.line(
        `total: ${rejectCases + contentCases} cases, ${client.sent()} requests in ${ms(performance.now() - started)} (${budget} budget)`,
      );
      return report.result();
    } finally {
      client.close();
    }
  } finally {
    await stack.stop();
  }
}
