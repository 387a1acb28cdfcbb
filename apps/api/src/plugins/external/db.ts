import fp from 'fastify-plugin';
import type pg from 'pg';
import { createPool } from '../../db/pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: pg.Pool;
  }
}

export default fp(
  async (app) => {
    const { config } = app;
    if (!config.DATABASE_URL) throw new Error('DATABASE_URL must be resolved before the app is built');
    const pool = createPool({
      connectionString: config.DATABASE_URL,
      passwordFile: config.DATABASE_PASSWORD_FILE,
      passwordWaitMs: config.DATABASE_PASSWORD_WAIT_MS,
      maxLifetimeSeconds: config.DATABASE_POOL_MAX_LIFETIME_SECONDS,
      max: config.DATABASE_POOL_MAX,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      onIdleError: (error) => app.log.warn({ err: error }, 'idle database connection lost'),
      // Expected for a moment after each rotation; lasting past DATABASE_PASSWORD_WAIT_MS it becomes 503s.
      onPasswordRejected: (attempt) =>
        app.log.warn({ attempt }, 'database refused the password, re-reading DATABASE_PASSWORD_FILE'),
    });
    app.decorate('db', pool);
    // Closed last (onClose runs in reverse registration order): in-flight requests finish first.
    app.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
