import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from './config.js';
import { loggerOptions } from './logger.js';
import modules from './modules/index.js';
import auth from './plugins/app/auth.js';
import configPlugin from './plugins/app/config.js';
import errors, { clientErrors, frameworkErrors } from './plugins/app/errors.js';
import faults from './plugins/app/faults.js';
import health from './plugins/app/health.js';
import metrics from './plugins/app/metrics.js';
import rateLimits from './plugins/app/rate-limits.js';
import web from './plugins/app/web.js';
import db from './plugins/external/db.js';
import docs from './plugins/external/docs.js';
import security from './plugins/external/security.js';

const REQUEST_ID = /^[\w.-]{1,128}$/;

/** The caller's X-Request-Id when it is well-formed, a new UUID otherwise. */
const requestId: FastifyServerOptions['genReqId'] = (request) => {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
};

/** Operational features `npm run bench` leaves out, one at a time, to measure what each costs. */
export const BENCHED_FEATURES = ['metrics', 'request-id', 'security-headers'] as const;
export type BenchedFeature = (typeof BENCHED_FEATURES)[number];

export interface BuildOptions {
  /** pino options, or false to silence logs (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** An existing pino logger (the server shares its logger with start-up code). */
  readonly loggerInstance?: FastifyBaseLogger;
  /**
   * Features to leave out. Only the benchmark's variant server sets it (apps/api/bench/variant-server.ts);
   * `request-id` falls back to Fastify's counter ids without the response header. @default none
   */
  readonly without?: readonly BenchedFeature[];
}

/**
 * Builds the application without listening: plugins load in a fixed order (third-party wrappers, then
 * our app plugins, then the routes), each named with its dependencies so a missing one fails at boot.
 */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const without = new Set(options.without);
  const app = Fastify({
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? loggerOptions(config) }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A hop count, not `true`: X-Forwarded-For entries beyond the proxies we run are written by the client,
    // and the address they claim must not decide whose rate-limit budget a request draws from. Hop 0 is the
    // socket's peer, so the client is the entry TRUST_PROXY_HOPS from the right. (Fastify's own numeric
    // setting trusts nothing since it cannot vouch for the peer; here the peer is the ALB, the only way in.)
    trustProxy: config.TRUST_PROXY_HOPS > 0 ? (_address, hop) => hop < config.TRUST_PROXY_HOPS : false,
    // A client must send its whole request in time (slow-body clients hold a socket and a parser each);
    // idle keep-alive connections outlive the ALB's idle timeout so the ALB closes them first.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      // Node checks both timeouts on this interval (30 s by default), which would let a slow client keep
      // its socket up to 30 s past the bound.
      connectionsCheckingInterval: 1000,
    },
    requestIdHeader: false,
    genReqId: without.has('request-id') ? undefined : requestId,
    // Router-level rejections (undecodable URLs, over-long path segments) get the spec's error shape too.
    frameworkErrors,
    // So do requests Node's HTTP parser refuses (oversized headers, broken framing).
    clientErrorHandler: clientErrors,
    // One access-log line per request (below) instead of Fastify's two: half the log volume, same facts.
    logController: new LogController({ disableRequestLogging: true }),
    // Long enough for any slug or non-ASCII username once percent-encoded; longer segments get a 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (!without.has('request-id')) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  }
  // Probe routes set their log level to warn, so health checks do not flood the logs.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        req: { method: request.method, url: request.url, remoteAddress: request.ip },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  });

  await app.register(configPlugin, { config });
  await app.register(db);
  if (!without.has('security-headers')) await app.register(security);
  await app.register(docs);
  if (!without.has('metrics')) await app.register(metrics);

  await app.register(errors);
  await app.register(health);
  await app.register(faults);
  await app.register(auth);
  await app.register(rateLimits);

  await app.register(modules);
  await app.register(web);

  // Keep-alive clients must learn that this instance is leaving, so their next request opens a new
  // connection that the load balancer sends to a pod that stays.
  app.addHook('onSend', async (_request, reply) => {
    if (app.lifecycle.draining) reply.header('connection', 'close');
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
