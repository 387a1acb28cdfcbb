import { trace } from '@opentelemetry/api';
import type { LoggerOptions } from 'pino';
import type { Config } from './config.js';

/** Log fields that must never reach the logs, whatever logs them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.JWT_SECRET',
  '*.DATABASE_URL',
  'user.password',
  'user.token',
];

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Trace ids in every line that runs inside a span; without a tracer provider this is a no-op lookup.
    mixin() {
      const context = trace.getActiveSpan()?.spanContext();
      return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
    },
  };
}
