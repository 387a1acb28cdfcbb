import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TelemetryOptions {
  readonly serviceName: string;
  /** OTLP/HTTP base URL, e.g. the ADOT collector's http://adot-collector.observability:4318 */
  readonly endpoint?: string;
  /** Tests pass an in-memory exporter; spans are then exported one by one, synchronously. */
  readonly exporter?: SpanExporter;
}

const NOT_TRAFFIC = new Set(['/healthz', '/readyz', '/metrics', '/version']);

/**
 * Starts tracing: HTTP server spans, Fastify route/hook spans and pg query spans (statement text only:
 * parameters never leave the process). Must run before fastify and pg are imported, which is why the
 * server imports the app lazily, and only when an endpoint is configured: no endpoint, no overhead.
 */
export function startTelemetry(options: TelemetryOptions): { shutdown: () => Promise<void> } {
  // The SDK's default resource reads OTEL_SERVICE_NAME; the setting's own env var wins if set.
  process.env.OTEL_SERVICE_NAME ??= options.serviceName;
  let processor: SpanProcessor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else if (options.endpoint) {
    processor = new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` }),
    );
  } else {
    throw new Error('startTelemetry needs an endpoint or an exporter');
  }
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => NOT_TRAFFIC.has((request.url ?? '').split('?')[0] ?? ''),
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  return { shutdown: () => provider.shutdown() };
}
