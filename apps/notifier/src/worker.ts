import type { Transporter } from 'nodemailer';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { composeEmail } from './mail.js';
import type { NotifierMetrics } from './metrics.js';
import { claim, markAttemptFailed, markSent, retryDelayMs } from './queue.js';

export interface WorkerDeps {
  readonly db: pg.Pool;
  readonly transport: Transporter;
  readonly config: Config;
  readonly metrics: NotifierMetrics;
  readonly log: Logger;
}

/** Polls the queue, sends one e-mail per claimed row, and stops between batches when asked. */
export class NotificationWorker {
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Lets the in-flight batch finish (every claimed row sent or recorded as failed), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Claims and sends one batch; resolves with the number of rows it handled. */
  async runOnce(): Promise<number> {
    const { db, config } = this.deps;
    const rows = await claim(db, {
      batch: config.NOTIFY_BATCH_SIZE,
      leaseMs: config.NOTIFY_LEASE_MS,
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    });
    for (const row of rows) {
      // One at a time: the batch is small, and a slow relay should see one connection per replica.
      try {
        await this.deps.transport.sendMail(composeEmail(row, config));
      } catch (error) {
        await this.recordFailure(row.id, row.attempts, error);
        continue;
      }
      await markSent(db, row.id);
      this.deps.metrics.sent.inc();
    }
    return rows.length;
  }

  private async recordFailure(id: string, attempts: number, error: unknown): Promise<void> {
    const { config, metrics, log } = this.deps;
    const giveUp = attempts >= config.NOTIFY_MAX_ATTEMPTS;
    const retryInMs = retryDelayMs(attempts, config.NOTIFY_RETRY_BASE_MS, config.NOTIFY_RETRY_MAX_MS);
    const message = error instanceof Error ? error.message : String(error);
    await markAttemptFailed(this.deps.db, id, { error: message, giveUp, retryInMs });
    metrics.sendErrors.inc();
    if (giveUp) metrics.failed.inc();
    log.warn(
      { notification: id, attempts, giveUp, retryInMs: giveUp ? undefined : retryInMs, err: message },
      giveUp ? 'notification failed for good' : 'notification send failed, will retry',
    );
  }

  private async run(): Promise<void> {
    const { config, log } = this.deps;
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (error) {
        // The database is down or the statement failed: claimed rows come back when their lease ends.
        log.error({ err: error instanceof Error ? error.message : String(error) }, 'queue poll failed');
      }
      // A full batch means more may be waiting: poll again at once.
      if (handled < config.NOTIFY_BATCH_SIZE && !this.stopping)
        await this.sleep(config.NOTIFY_POLL_INTERVAL_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
