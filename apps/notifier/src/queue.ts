import type pg from 'pg';

/** One claimed row with what its e-mail says. */
export interface Notification {
  readonly id: string;
  /** Attempts including the one this claim starts. */
  readonly attempts: number;
  readonly to: string;
  readonly recipient: string;
  readonly commenter: string;
  readonly slug: string;
  readonly title: string;
  readonly body: string;
}

export interface QueueStats {
  readonly depth: number;
  readonly oldestAgeSeconds: number;
}

/**
 * Claims up to `batch` due rows for `leaseMs`. SKIP LOCKED makes concurrent claims of several replicas take
 * disjoint rows without waiting on each other; the lease (not a held transaction) keeps the row theirs while
 * they send, so no transaction stays open across SMTP, and a worker that dies mid-send only delays its rows
 * until the lease runs out. The attempt is counted at the claim, so a row that kills its worker still runs
 * out of attempts.
 */
export async function claim(
  db: pg.Pool,
  { batch, leaseMs, maxAttempts }: { batch: number; leaseMs: number; maxAttempts: number },
): Promise<Notification[]> {
  // Rows whose last attempt died with its worker (lease over, no attempts left) would otherwise stay pending.
  await db.query(
    `UPDATE comment_notifications
        SET status = 'failed', locked_until = NULL, last_error = coalesce(last_error, 'worker lost during the last attempt')
      WHERE status = 'pending' AND attempts >= $1 AND locked_until < now()`,
    [maxAttempts],
  );
  const { rows } = await db.query<Notification>(
    `WITH claimed AS (
       UPDATE comment_notifications n
          SET locked_until = now() + make_interval(secs => $2::float8 / 1000), attempts = n.attempts + 1
        WHERE n.id IN (
          SELECT id FROM comment_notifications
           WHERE status = 'pending' AND next_attempt_at <= now() AND attempts < $3
             AND (locked_until IS NULL OR locked_until < now())
           ORDER BY next_attempt_at, id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
       RETURNING n.id, n.attempts, n.comment_id, n.recipient_id
     )
     SELECT claimed.id::text AS id, claimed.attempts, r.email AS "to", r.username AS recipient,
            w.username AS commenter, a.slug, a.title, c.body
       FROM claimed
       JOIN comments c ON c.id = claimed.comment_id
       JOIN articles a ON a.id = c.article_id
       JOIN users r ON r.id = claimed.recipient_id
       JOIN users w ON w.id = c.author_id
      ORDER BY claimed.id`,
    [batch, leaseMs, maxAttempts],
  );
  return rows;
}

export async function markSent(db: pg.Pool, id: string): Promise<void> {
  await db.query(
    `UPDATE comment_notifications
        SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL
      WHERE id = $1`,
    [id],
  );
}

/** Records a failed attempt: back to pending after `retryInMs`, or `failed` once no attempt is left. */
export async function markAttemptFailed(
  db: pg.Pool,
  id: string,
  { error, giveUp, retryInMs }: { error: string; giveUp: boolean; retryInMs: number },
): Promise<void> {
  await db.query(
    `UPDATE comment_notifications
        SET status = CASE WHEN $2 THEN 'failed' ELSE 'pending' END,
            next_attempt_at = now() + make_interval(secs => $3::float8 / 1000),
            locked_until = NULL, last_error = left($4, 1000)
      WHERE id = $1`,
    [id, giveUp, retryInMs, error],
  );
}

/** Pending rows and the age of the oldest one: the backlog the alerts and the dashboard watch. */
export async function queueStats(db: pg.Pool): Promise<QueueStats> {
  const { rows } = await db.query<QueueStats>(
    `SELECT count(*)::int AS depth,
            coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS "oldestAgeSeconds"
       FROM comment_notifications WHERE status = 'pending'`,
  );
  return rows[0]!;
}

/** Exponential back-off: base after the first failure, doubling, capped. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
