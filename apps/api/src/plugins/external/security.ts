import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Route-level rate limit for login and registration (`config: { rateLimit: app.authRateLimit }`). */
    authRateLimit: { max: number; timeWindow: number };
  }
}

class TooManyRequestsError extends Error {
  readonly statusCode = 429;
}

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
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequestsError(`too many attempts, retry in ${context.after}`),
    });
    app.decorate('authRateLimit', {
      max: config.AUTH_RATE_LIMIT_MAX,
      timeWindow: config.AUTH_RATE_LIMIT_WINDOW_MS,
    });
  },
  { name: 'security', dependencies: ['config'] },
);
