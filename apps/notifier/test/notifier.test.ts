import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workload } from '@conduit/platform';
import { startApiProcess } from '@conduit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type Notifier, startNotifier } from '../src/notifier.js';
import { commentsOnAnArticle, createDatabase, eventually, statuses, type TestDatabase } from './database.js';
import { startNotifierProcess } from './process.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Settings of a test worker: fast polling and back-off, everything else as in production. */
const settings = (
  database: TestDatabase,
  smtp: Pick<TestSmtp, 'url'>,
  extra: Record<string, string> = {},
) => ({
  DATABASE_URL: database.url,
  SMTP_URL: smtp.url,
  PUBLIC_URL: 'https://conduit.example.com',
  LOG_LEVEL: 'warn',
  NOTIFY_POLL_INTERVAL_MS: '20',
  NOTIFY_RETRY_BASE_MS: '50',
  NOTIFY_RETRY_MAX_MS: '200',
  SEND_TIMEOUT_MS: '2000',
  ...extra,
});

async function database(options?: { migrate?: boolean }) {
  const d = await createDatabase(options);
  cleanups.push(() => d.db.end());
  return d;
}
async function smtp(options?: Parameters<typeof startSmtp>[0]) {
  const s = await startSmtp(options);
  cleanups.push(() => s.close());
  return s;
}
async function notifier(env: Record<string, string>): Promise<Notifier> {
  const n = await startNotifier(loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', ...env }));
  cleanups.push(() => n.close());
  return n;
}
const metric = async (n: Notifier, name: string) => {
  const text = await (await fetch(`${n.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};

describe('notifier', () => {
  it("a comment on someone's article sends exactly one e-mail to its author, linking the article", async () => {
    const d = await database({ migrate: false });
    const mail = await smtp();
    // The real API creates the schema and the comment; the worker only reads what the API queued.
    const api = await startApiProcess({ env: { DATABASE_URL: d.url, SEED_DEMO_DATA: 'false' } });
    cleanups.push(() => api.stop());
    const call = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Token ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBeLessThan(300);
      return (await res.json()) as Record<string, Record<string, string>>;
    };
    const tag = randomBytes(3).toString('hex');
    const register = async (name: string) =>
      (
        await call('/api/users', {
          user: { username: `${name}${tag}`, email: `${name}${tag}@example.com`, password: 'conduit-demo' },
        })
      ).user!.token!;
    const [author, reader] = [await register('author'), await register('reader')];
    const { slug } = (
      await call('/api/articles', { article: { title: 'On queues', description: 'd', body: 'b' } }, author)
    ).article!;
    await call(`/api/articles/${slug}/comments`, { comment: { body: 'Great read!' } }, reader);
    await call(`/api/articles/${slug}/comments`, { comment: { body: 'Thanks' } }, author);

    const n = await notifier(settings(d, mail));
    await eventually('one e-mail', async () => (await metric(n, 'notifier_emails_sent_total')) === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mail.received).toHaveLength(1);
    const [sent] = mail.received;
    expect(sent!.to).toEqual([`author${tag}@example.com`]);
    expect(sent!.subject).toBe(`reader${tag} commented on "On queues"`);
    expect(sent!.raw).toContain('Great read!');
    expect(sent!.raw).toContain(`https://conduit.example.com/article/${slug}`);
    expect(await statuses(d.db)).toEqual([{ status: 'sent', attempts: 1, lastError: null }]);
  });

  it('two worker processes on one database send each e-mail once', async () => {
    const d = await database();
    const mail = await smtp();
    for (let i = 0; i < 4; i += 1) await commentsOnAnArticle(d.db, { comments: 15 });
    // Small batches, so both processes claim throughout instead of one taking everything.
    const env = settings(d, mail, { NOTIFY_BATCH_SIZE: '3' });
    const workers = await Promise.all([startNotifierProcess(env), startNotifierProcess(env)]);
    cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
    await eventually('60 rows sent', async () => (await statuses(d.db)).every((s) => s.status === 'sent'));
    const sentBy = await Promise.all(
      workers.map(async (w) => {
        const text = await (await fetch(`${w.url}/metrics`)).text();
        return Number(/^notifier_emails_sent_total (\S+)$/m.exec(text)?.[1]);
      }),
    );
    await Promise.all(workers.map((w) => w.stop()));
    const ids = mail.received.map((m) => m.messageId);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    // Both took part, so the claims really raced; together they sent each row once.
    expect(
      sentBy.every((n) => n > 0),
      `sent per worker: ${sentBy}`,
    ).toBe(true);
    expect(sentBy[0]! + sentBy[1]!).toBe(60);
  });

  it('an SMTP outage is retried with back-off, and the e-mail goes out once the relay is back', async () => {
    const d = await database();
    const down = await startSmtp();
    const port = down.port;
    await down.close();
    await commentsOnAnArticle(d.db);
    const n = await notifier(settings(d, down, { NOTIFY_MAX_ATTEMPTS: '20' }));
    await eventually('two failed attempts', async () => (await statuses(d.db))[0]!.attempts >= 2);
    const [during] = await statuses(d.db);
    expect(during).toMatchObject({ status: 'pending', lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(await metric(n, 'notifier_send_errors_total')).toBeGreaterThanOrEqual(2);
    expect(await metric(n, 'notifier_queue_depth')).toBe(1);

    const back = await smtp({ port });
    await eventually('sent after the outage', async () => (await statuses(d.db))[0]!.status === 'sent');
    expect(back.received).toHaveLength(1);
    expect(await metric(n, 'notifier_queue_depth')).toBe(0);
  });

  it('a poison row ends failed after NOTIFY_MAX_ATTEMPTS attempts, and the rows behind it still go out', async () => {
    const d = await database();
    const mail = await smtp({ reject: ['poison@example.com'] });
    await commentsOnAnArticle(d.db, { authorEmail: 'poison@example.com' });
    await commentsOnAnArticle(d.db, { comments: 2 });
    const n = await notifier(settings(d, mail, { NOTIFY_MAX_ATTEMPTS: '3' }));
    await eventually('poison row given up', async () => (await statuses(d.db))[0]!.status === 'failed');
    const [poison, ...rest] = await statuses(d.db);
    expect(poison).toEqual({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/550/) });
    expect(rest.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(mail.received.map((m) => m.to[0])).not.toContain('poison@example.com');
    expect(await metric(n, 'notifier_emails_failed_total')).toBe(1);
    expect(await metric(n, 'notifier_send_errors_total')).toBe(3);
    // Given up is final: no fourth attempt however long the worker runs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await statuses(d.db))[0]!.attempts).toBe(3);
  });

  it('SIGTERM drains: the in-flight batch is sent and marked, then the process exits 0', async () => {
    const d = await database();
    const mail = await smtp({ delayMs: 400 });
    await commentsOnAnArticle(d.db, { comments: 3 });
    const worker = await startNotifierProcess(
      settings(d, mail, { NOTIFY_BATCH_SIZE: '3', LOG_LEVEL: 'info' }),
    );
    cleanups.push(() => worker.stop('SIGKILL'));
    await mail.dataStarted;
    const code = await worker.stop('SIGTERM');
    // The whole claimed batch went out and was marked: nothing is left for a retry to send twice.
    expect((await statuses(d.db)).map((s) => s.status)).toEqual(['sent', 'sent', 'sent']);
    expect(mail.received).toHaveLength(3);
    expect(code).toBe(0);
    expect(worker.output()).toMatch(/"msg":"drained"/);
  });

  it('answers /healthz always, /readyz only with the queue table, and /metrics', async () => {
    const empty = await database({ migrate: false });
    const mail = await smtp();
    // Quiet: without the table every poll fails, which is what readiness reports.
    const n = await notifier(settings(empty, mail, { LOG_LEVEL: 'silent' }));
    expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${n.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([503, 'queue table missing (migrations)\n']);
    const d = await database();
    const m = await notifier(settings(d, mail));
    expect((await fetch(`${m.url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${m.url}/metrics`)).text();
    for (const name of [
      'notifier_emails_sent_total',
      'notifier_emails_failed_total',
      'notifier_send_errors_total',
      'notifier_queue_depth',
      'notifier_queue_oldest_age_seconds',
      'app_info',
      // The backlog gauge the model entry declares, which the alert and the dashboard read.
      workload('notifier').queue!.ageMetric,
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('reads its database password from DATABASE_PASSWORD_FILE for each new connection, over the URL', async () => {
    const d = await database();
    const mail = await smtp();
    const url = new URL(d.url);
    const password = decodeURIComponent(url.password);
    // The URL's password is stale, as the conduit-db Secret's is after a rotation: the file must win.
    url.password = 'stale';
    const dir = await mkdtemp(join(tmpdir(), 'conduit-notifier-password-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'password');
    await writeFile(file, `${password}\n`);
    const n = await notifier(
      settings({ url: url.toString(), db: d.db }, mail, {
        DATABASE_PASSWORD_FILE: file,
        DATABASE_POOL_MAX_LIFETIME_SECONDS: '1',
      }),
    );
    const ready = async () => (await fetch(`${n.url}/readyz`)).status;
    await eventually('ready with the password from the file', async () => (await ready()) === 200);
    // A wrong file is noticed once the lifetime has replaced the connections, and a fixed one without a restart.
    await writeFile(file, 'wrong');
    await eventually('unready with a wrong password in the file', async () => (await ready()) === 503);
    await writeFile(file, password);
    await eventually('ready again once the file holds the password', async () => (await ready()) === 200);
  });
});
