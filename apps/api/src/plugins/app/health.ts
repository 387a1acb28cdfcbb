import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { loadMigrations, migrationStatus } from '../../db/migrate.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Run-time switches read by /readyz: set `draining` on SIGTERM, `migrated` once migrations are current,
     * `seeding` while start-up may still load the demo data (ready only once it is there).
     */
    lifecycle: { draining: boolean; migrated: boolean; seeding: boolean };
  }
}

const Status = Type.Object({ status: Type.String() });
const probe = { logLevel: 'warn' as const, schema: { hide: true } };

export default fp(
  async (app) => {
    const migrations = await loadMigrations();
    app.decorate('lifecycle', { draining: false, migrated: false, seeding: false });

    // Liveness: only "the event loop answers". Checking the database here would restart healthy pods
    // during a database outage and turn it into a crash loop.
    app.get('/healthz', { ...probe, schema: { ...probe.schema, response: { 200: Status } } }, async () => ({
      status: 'ok',
    }));

    app.get(
      '/readyz',
      { ...probe, schema: { ...probe.schema, response: { 200: Status, 503: Status } } },
      async (_request, reply) => {
        if (app.lifecycle.draining) return reply.code(503).send({ status: 'draining' });
        if (app.lifecycle.seeding) return reply.code(503).send({ status: 'loading demo data' });
        try {
          await app.db.query('SELECT 1');
          if (!app.lifecycle.migrated) {
            const { pending } = await migrationStatus(app.db, migrations);
            if (pending.length > 0) return reply.code(503).send({ status: 'migrations pending' });
            app.lifecycle.migrated = true;
          }
        } catch {
          return reply.code(503).send({ status: 'database unavailable' });
        }
        return { status: 'ready' };
      },
    );

    app.get(
      '/version',
      {
        ...probe,
        schema: {
          ...probe.schema,
          response: {
            200: Type.Object({ version: Type.String(), gitSha: Type.String(), buildTime: Type.String() }),
          },
        },
      },
      async () => ({
        version: app.config.APP_VERSION,
        gitSha: app.config.GIT_SHA,
        buildTime: app.config.BUILD_TIME,
      }),
    );
  },
  { name: 'health', dependencies: ['config', 'db'] },
);
