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
      max: config.DATABASE_POOL_MAX,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      onIdleError: (error) => app.log.warn({ err: error }, 'idle database connection lost'),
    });
    app.decorate('db', pool);
    // Closed last (onClose runs in reverse registration order): in-flight requests finish first.
    app.addHook('onClose', async () => {
      await pool.end();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
