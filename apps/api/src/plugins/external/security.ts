import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    const { config } = app;
    await app.register(helmet, {
      // The API answers JSON; the SPA's own policy is set by nginx (production) or the web plugin (local).
      contentSecurityPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-site' },
    });
    const origins = config.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    if (origins.length > 0) {
      await app.register(cors, {
        origin: origins.includes('*') ? '*' : origins,
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id'],
        maxAge: 600,
      });
    }
  },
  { name: 'security', dependencies: ['config'] },
);
