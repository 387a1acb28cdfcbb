import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError, tooManyRequests } from './errors.js';

/** A budget: at most `max` units per fixed window of `windowMs`. */
export interface Limit {
  readonly max: number;
  readonly windowMs: number;
}

export interface RateLimits {
  /**
   * Takes `cost` units from the budget of `key` or throws a 429 naming `field` (nothing is
   * taken then). The budget lives in PostgreSQL, so every replica draws from the same one.
   */
  consume(
    key: string,
    limit: Limit,
    failure: { field: string; message: string },
    cost?: number,
  ): Promise<void>;
  /** Gives units back: an attempt that is only counted when it fails is refunded when it succeeds. */
  refund(key: string, cost?: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
    /** onRequest hook: the per-client budget of login and registration (AUTH_RATE_LIMIT_*). */
    authClientLimit(request: FastifyRequest): Promise<void>;
  }
}

// Expired windows restart in place; rows of keys that went quiet are swept this often.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Fixed-window counters in the `rate_limits` table: one upsert per check, which restarts the window when it
 * has expired. A window that is over its budget refunds what it just took, so a client hammering a closed
 * window does not push its own reopening back, and a large request refused does not eat the budget of the
 * smaller ones that follow.
 */
export default fp(
  async (app) => {
    const { config, db } = app;

    const limits: RateLimits = {
      async consume(key, limit, failure, cost = 1) {
        if (cost <= 0) return;
        const { rows } = await db.query<{ hits: number; retryAfter: number }>(
          `INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), $3)
           ON CONFLICT (key) DO UPDATE SET
             window_start = CASE WHEN r.window_start <= now() - $2 * interval '1 millisecond'
                                 THEN now() ELSE r.window_start END,
             hits = CASE WHEN r.window_start <= now() - $2 * interval '1 millisecond'
                         THEN $3 ELSE r.hits + $3 END
           RETURNING hits,
             greatest(1, ceil(extract(epoch FROM r.window_start + $2 * interval '1 millisecond' - now())))::int
               AS "retryAfter"`,
          [key, limit.windowMs, cost],
        );
        const row = rows[0]!;
        if (row.hits <= limit.max) return;
        await limits.refund(key, cost);
        throw tooManyRequests(failure.field, failure.message, row.retryAfter);
      },
      async refund(key, cost = 1) {
        await db.query('UPDATE rate_limits SET hits = greatest(0, hits - $2) WHERE key = $1', [key, cost]);
      },
    };
    app.decorate('rateLimits', limits);

    const authClient: Limit = { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS };
    app.decorate('authClientLimit', async (request: FastifyRequest) => {
      // Node's parser may refuse the request (broken framing) after its headers were read: the socket is
      // gone, there is no address to count and nobody to answer. The client-error handler already did.
      if (request.ip === undefined) throw new HttpError(400, 'request', 'is not valid HTTP');
      await limits.consume(`auth:client:${request.ip}`, authClient, {
        field: 'request',
        message: 'too many sign-in attempts from this address',
      });
    });

    const longest = Math.max(
      config.AUTH_RATE_LIMIT_WINDOW_MS,
      config.AUTH_ACCOUNT_WINDOW_MS,
      config.WRITE_RATE_LIMIT_WINDOW_MS,
    );
    const sweep = setInterval(() => {
      db.query("DELETE FROM rate_limits WHERE window_start < now() - $1 * interval '1 millisecond'", [
        longest,
      ]).catch((error: unknown) => app.log.warn({ err: error }, 'rate-limit sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'rate-limits', dependencies: ['config', 'db', 'errors'] },
);
