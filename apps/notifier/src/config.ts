import { accessSync, constants } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Every setting of the notifier, declared once. The worker validates the environment against this schema at
 * start, the README's table is checked against it, and deploy/k8s imports the key names (`configKeys`).
 * The names it shares with the API (NODE_ENV, HOST, PORT, LOG_LEVEL, DATABASE_URL, SHUTDOWN_TIMEOUT_MS,
 * OTEL_…) mean the same thing in both.
 */
export const configSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
    description: 'Runtime mode; production requires the settings that have no safe default',
  }),
  HOST: Type.String({
    default: '127.0.0.1',
    minLength: 1,
    description: 'Address of the health and metrics endpoints (0.0.0.0 in containers)',
  }),
  PORT: Type.Integer({
    default: 9464,
    minimum: 0,
    maximum: 65535,
    description: 'Port of /healthz, /readyz and /metrics',
  }),
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    description: 'PostgreSQL URL of the Conduit database (the queue table lives there)',
  }),
  DATABASE_POOL_MAX: Type.Integer({ default: 4, minimum: 2, maximum: 50, description: 'Pool size' }),
  // The same two settings as the API's: the password is re-read for each new connection, and connections are
  // recycled so none opened with a rotated-out password lingers. No wait setting: a refused connection only
  // delays a poll, and the next poll is the retry.
  DATABASE_PASSWORD_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "File holding the database password, read again for every new connection (credential rotation); it wins over DATABASE_URL's password",
    }),
  ),
  DATABASE_POOL_MAX_LIFETIME_SECONDS: Type.Integer({
    default: 1800,
    minimum: 0,
    maximum: 86_400,
    description: 'Connections are replaced after this long; 0 keeps them forever',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({
    default: 2000,
    minimum: 100,
    description: 'Fail fast when the database cannot be reached',
  }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level' },
  ),
  PUBLIC_URL: Type.String({
    default: 'http://127.0.0.1:8080',
    pattern: '^https?://[^/]+$',
    description: 'Origin of the web app the e-mails link to (no trailing slash); required in production',
  }),
  EMAIL_FROM: Type.String({
    default: 'Conduit <notifications@conduit.localhost>',
    minLength: 3,
    description: 'Sender of the e-mails; in AWS an address of a verified SES identity',
  }),
  EMAIL_TRANSPORT: Type.Union([Type.Literal('smtp'), Type.Literal('ses')], {
    default: 'smtp',
    description: 'smtp: SMTP_URL; ses: the Amazon SES API with the pod role (no stored credentials)',
  }),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description: 'smtp://[user:password@]host:port (STARTTLS when offered) or smtps://; required for smtp',
    }),
  ),
  AWS_REGION: Type.Optional(
    Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$', description: 'SES region; required for ses' }),
  ),
  SEND_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'Bound on one send (connect, greeting, data)',
  }),
  NOTIFY_BATCH_SIZE: Type.Integer({
    default: 10,
    minimum: 1,
    maximum: 100,
    description: 'Rows one worker claims at a time',
  }),
  NOTIFY_POLL_INTERVAL_MS: Type.Integer({
    default: 1000,
    minimum: 10,
    description: 'Wait between polls of an empty queue',
  }),
  NOTIFY_MAX_ATTEMPTS: Type.Integer({
    default: 5,
    minimum: 1,
    maximum: 50,
    description: 'Sends tried before a row is given up as failed',
  }),
  NOTIFY_RETRY_BASE_MS: Type.Integer({
    default: 30_000,
    minimum: 10,
    description: 'Back-off after the first failure; doubles after each further one',
  }),
  NOTIFY_RETRY_MAX_MS: Type.Integer({
    default: 3_600_000,
    minimum: 10,
    description: 'Longest back-off between two attempts',
  }),
  NOTIFY_LEASE_MS: Type.Integer({
    default: 300_000,
    minimum: 1000,
    description:
      'How long a claimed row stays with its worker; after it, another worker may retry it (the first one died)',
  }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({
    default: 30_000,
    minimum: 0,
    description: 'After SIGTERM, bound on finishing the in-flight batch',
  }),
  APP_VERSION: Type.String({ default: '0.0.0-dev', description: 'Reported by app_info (image build arg)' }),
  GIT_SHA: Type.String({ default: 'unknown', description: 'Reported by app_info (image build arg)' }),
});

export type Config = Static<typeof configSchema>;
export type ConfigKey = keyof Config;

export const configKeys = Object.fromEntries(
  Object.keys(configSchema.properties).map((key) => [key, key]),
) as { readonly [K in ConfigKey]: K };

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`invalid configuration: ${setting} ${detail}`);
    this.name = 'ConfigError';
  }
}

function coerce(key: ConfigKey, raw: string): unknown {
  const type = (configSchema.properties[key] as { type?: string }).type;
  const text = raw.trim();
  if (type !== 'integer') return text;
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new ConfigError(key, `must be a number (got "${raw}")`);
  return value;
}

/** Validates the environment; throws a ConfigError naming the first bad setting (never a secret's value). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.properties) as ConfigKey[]) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') input[key] = coerce(key, raw);
  }
  const withDefaults = Value.Default(configSchema, input) as Record<string, unknown>;
  const [first] = Value.Errors(configSchema, withDefaults);
  if (first) {
    const key =
      first.instancePath.replace(/^\//, '').split('/')[0] ||
      // A missing required setting is reported on the object, naming the property in its params.
      String((first.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? 'configuration');
    const shown = key in input && !/SMTP_URL|DATABASE_URL/.test(key) ? ` (got "${String(input[key])}")` : '';
    const words = (
      configSchema.properties[key as ConfigKey] as { anyOf?: { const?: unknown }[] } | undefined
    )?.anyOf?.map((option) => option.const);
    const rule = words?.every((word) => typeof word === 'string')
      ? `must be one of ${words.join(', ')}`
      : key in input
        ? first.message
        : 'is required';
    throw new ConfigError(key, `${rule}${shown}`);
  }
  const c = withDefaults as Config;
  if (c.DATABASE_PASSWORD_FILE !== undefined) {
    try {
      accessSync(c.DATABASE_PASSWORD_FILE, constants.R_OK);
    } catch (error) {
      throw new ConfigError(
        'DATABASE_PASSWORD_FILE',
        `must be a readable file (${c.DATABASE_PASSWORD_FILE}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  }
  if (c.EMAIL_TRANSPORT === 'smtp' && !c.SMTP_URL) throw new ConfigError('SMTP_URL', 'is required for smtp');
  if (c.EMAIL_TRANSPORT === 'ses' && !c.AWS_REGION)
    throw new ConfigError('AWS_REGION', 'is required for ses');
  if (c.NOTIFY_RETRY_MAX_MS < c.NOTIFY_RETRY_BASE_MS) {
    throw new ConfigError(
      'NOTIFY_RETRY_MAX_MS',
      `must be >= NOTIFY_RETRY_BASE_MS (${c.NOTIFY_RETRY_BASE_MS})`,
    );
  }
  // A lease shorter than the worst batch would let a second worker resend rows the first is still sending.
  const worstBatch = c.NOTIFY_BATCH_SIZE * c.SEND_TIMEOUT_MS;
  if (c.NOTIFY_LEASE_MS <= worstBatch) {
    throw new ConfigError(
      'NOTIFY_LEASE_MS',
      `(${c.NOTIFY_LEASE_MS}) must exceed NOTIFY_BATCH_SIZE × SEND_TIMEOUT_MS (${worstBatch})`,
    );
  }
  if (c.NODE_ENV === 'production' && env.PUBLIC_URL === undefined) {
    throw new ConfigError('PUBLIC_URL', 'is required in production (the links in the e-mails)');
  }
  return c;
}
