import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { messages, NOT_BLANK } from '@conduit/contracts';
import type {
  ConnectionError,
  FastifyError,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/unavailable.js';

export type ErrorBody = { errors: Record<string, string[]> };

/** An error meant for the client: answered as `{"errors":{"<field>":["<message>"]}}` with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly field: string,
    message: string,
    /** Sent as `Retry-After` (429 and 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 429 in the spec's error shape, with the seconds until the budget opens again (also as Retry-After). */
export const tooManyRequests = (field: string, message: string, retryAfterSeconds: number) =>
  new HttpError(429, field, `${message}, retry in ${retryAfterSeconds} s`, retryAfterSeconds);

export const notFound = (resource: string) => new HttpError(404, resource, messages.notFound);
export const forbidden = (resource: string) => new HttpError(403, resource, messages.forbidden);

/** What a 503 asks clients to wait: long enough for a pool or a database to recover from a burst. */
const RETRY_AFTER_SECONDS = '5';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

type ValidationIssue = FastifySchemaValidationError & { message?: string };

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describe(issue: ValidationIssue): string {
  const params = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'required':
      return messages.blank;
    case 'pattern':
      return params.pattern === NOT_BLANK ? messages.blank : messages.invalid;
    case 'minLength':
      return Number(params.limit) <= 1
        ? messages.blank
        : `is too short (minimum is ${params.limit} characters)`;
    case 'maxLength':
      return `is too long (maximum is ${params.limit} characters)`;
    case 'maxItems':
      return `has too many items (maximum is ${params.limit})`;
    case 'minProperties':
      return messages.atLeastOneField;
    case 'type':
      return `must be ${article(String(params.type))}`;
    case 'anyOf':
      return messages.invalid;
    default:
      return issue.message ?? messages.invalid;
  }
}

/**
 * AJV and TypeBox both report JSON pointers (`/user/email`, `/article/tagList/0`): the field is the last
 * named segment, or the missing property for `required`, so clients get `{"email":["can't be blank"]}`.
 */
export function validationErrors(issues: readonly ValidationIssue[], context: string | undefined): ErrorBody {
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => {
    const list = errors[field] ?? [];
    if (!list.includes(message)) list.push(message);
    errors[field] = list;
  };
  for (const issue of issues) {
    const params = issue.params as Record<string, unknown>;
    const named = (issue.instancePath ?? '')
      .split('/')
      .filter((segment) => segment !== '' && !/^\d+$/.test(segment))
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const message = describe(issue);
    if (issue.keyword === 'required') {
      const missing = Array.isArray(params.requiredProperties)
        ? (params.requiredProperties as string[])
        : [String(params.missingProperty)];
      for (const field of missing) add(field, message);
    } else {
      add(named.at(-1) ?? context ?? 'body', message);
    }
  }
  // "can't be blank" says the most when a field is also too short or malformed: it comes first.
  for (const list of Object.values(errors)) {
    list.sort((a, b) => Number(b === messages.blank) - Number(a === messages.blank));
  }
  return { errors };
}

const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'has an unsupported content type (use application/json)',
  FST_ERR_CTP_BODY_TOO_LARGE: 'is too large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'is not valid JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'does not match its Content-Length',
};

function isPostgresError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    'severity' in error &&
    'routine' in error
  );
}

/**
 * Fastify's `frameworkErrors` server option: URLs the router rejects before any route or hook runs
 * (undecodable, or a path parameter over `maxParamLength`) get the spec's error shape too.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' ? error.statusCode : 400;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed in the router');
    reply.code(500).send({ errors: { server: ['internal error'] } });
    return;
  }
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'has a path segment that is too long' : messages.invalid;
  reply.code(status).send({ errors: { url: [message] } });
}

const CONNECTION_ERRORS: Record<string, { status: number; field: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, field: 'headers', message: 'are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, field: 'request', message: 'took too long' },
};

/**
 * Fastify's `clientErrorHandler` server option: requests that Node's HTTP parser refuses before Fastify
 * sees them (headers over its 16 KiB limit, broken framing, a request that never finishes) get the spec's
 * error shape too. As in Fastify's default handler, the connection is closed afterwards: what follows on
 * it cannot be parsed.
 */
export function clientErrors(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, field, message } = CONNECTION_ERRORS[error.code] ?? {
    status: 400,
    field: 'request',
    message: 'is not valid HTTP',
  };
  const body = JSON.stringify({ errors: { [field]: [message] } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * The one error handler and not-found handler: every failure leaves in the spec's error shape. Client
 * mistakes keep their 4xx status and a short reason; everything unexpected is a 500 whose details go to
 * the log, never to the client.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.validation) {
        return reply.code(422).send(validationErrors(error.validation, error.validationContext));
      }
      if (error instanceof HttpError) {
        if (error.retryAfterSeconds !== undefined)
          reply.header('retry-after', String(error.retryAfterSeconds));
        return reply.code(error.statusCode).send({ errors: { [error.field]: [error.message] } });
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return reply
          .code(503)
          .header('retry-after', RETRY_AFTER_SECONDS)
          .send({ errors: { server: ['database unavailable'] } });
      }
      // 57014 is a query cancelled by the statement timeout: the database is overloaded, not the code wrong,
      // so the client may retry (and the canary analysis does not count a bug).
      if (isPostgresError(error) && error.code === '57014') {
        request.log.warn({ err: error }, 'statement timeout');
        return reply
          .code(503)
          .header('retry-after', RETRY_AFTER_SECONDS)
          .send({ errors: { server: ['overloaded, retry later'] } });
      }
      // Class 22 is "data exception" (a NUL byte, a number out of range): bad input that slipped past the
      // schemas, so a client error, not a server one.
      if (isPostgresError(error) && error.code.startsWith('22')) {
        request.log.info({ err: error }, 'input rejected by the database');
        return reply.code(422).send({ errors: { request: [messages.invalid] } });
      }
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status >= 400 && status < 500) {
        const body = BODY_ERRORS[error.code];
        if (body) return reply.code(status).send({ errors: { body: [body] } });
        return reply.code(status).send({ errors: { request: [error.message] } });
      }
      request.log.error({ err: error }, 'request failed');
      if (status > 500 && status < 600) {
        return reply.code(status).send({ errors: { server: [error.message] } });
      }
      return reply.code(500).send({ errors: { server: ['internal error'] } });
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '/';
      const allowed = METHODS.filter((method) => {
        if (method === request.method) return false;
        const route = app.findRoute({ method, url: path });
        // A catch-all (the SPA fallback) matches everything and says nothing about this path.
        return route !== null && !('*' in (route.params ?? {}));
      });
      if (allowed.length > 0) {
        return reply
          .code(405)
          .header('allow', allowed.join(', '))
          .send({
            errors: { method: [`${request.method} is not allowed (allowed: ${allowed.join(', ')})`] },
          });
      }
      return reply.code(404).send({ errors: { route: [messages.notFound] } });
    });
  },
  { name: 'errors' },
);
