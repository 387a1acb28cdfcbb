import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { queueStats } from './queue.js';

export interface NotifierMetrics {
  readonly registry: Registry;
  readonly sent: Counter;
  /** Rows given up after their last attempt. */
  readonly failed: Counter;
  /** Failed attempts (each one retried until the last). */
  readonly sendErrors: Counter;
}

/** The worker's series; the queue gauges read the table at scrape time, so every replica reports the same. */
export function createMetrics(db: pg.Pool, info: { version: string; gitSha: string }): NotifierMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'app_info',
    help: 'Version of the running notifier',
    labelNames: ['version', 'git_sha'],
    registers: [registry],
  }).set({ version: info.version, git_sha: info.gitSha }, 1);
  let last = { depth: 0, oldestAgeSeconds: 0 };
  const read = async () => {
    // A scrape during a database outage keeps the last values rather than failing the whole scrape.
    last = await queueStats(db).catch(() => last);
    return last;
  };
  new Gauge({
    name: 'notifier_queue_depth',
    help: 'Comment notifications waiting to be sent',
    registers: [registry],
    async collect() {
      this.set((await read()).depth);
    },
  });
  new Gauge({
    name: 'notifier_queue_oldest_age_seconds',
    help: 'Age of the oldest comment notification waiting to be sent (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestAgeSeconds);
    },
  });
  return {
    registry,
    sent: new Counter({
      name: 'notifier_emails_sent_total',
      help: 'E-mails sent',
      registers: [registry],
    }),
    failed: new Counter({
      name: 'notifier_emails_failed_total',
      help: 'Notifications given up after their last attempt',
      registers: [registry],
    }),
    sendErrors: new Counter({
      name: 'notifier_send_errors_total',
      help: 'Failed send attempts',
      registers: [registry],
    }),
  };
}
