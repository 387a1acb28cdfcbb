import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Every setting of the API tier, declared once. The server validates the environment against this schema
 * at boot, the README's configuration table is checked against it, and the deploy code imports the key
 * names (`configKeys`) instead of retyping them.
 */
export const configSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
    description: 'Runtime mode; production refuses unsafe defaults',
  }),
  HOST: Type.String({
    default: '127.0.0.1',
    minLength: 1,
    description: 'Address to listen on (0.0.0.0 in containers)',
  }),
  PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'Port to listen on' }),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL URL; unset outside production starts the embedded PostgreSQL',
    }),
  ),
  EMBEDDED_POSTGRES_PORT: Type.Integer({
    default: 54329,
    minimum: 1,
    maximum: 65535,
    description: 'Port of the embedded PostgreSQL used when DATABASE_URL is unset',
  }),
  LOCAL_DATA_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Folder of local runs: the embedded PostgreSQL (postgres/, its password and log) and the development JWT secret; unset means .data in the repository',
    }),
  ),
  SEED_DEMO_DATA: Type.Union([Type.Literal('auto'), Type.Literal('true'), Type.Literal('false')], {
    default: 'auto',
    description:
      'Load the demo data set into an empty database after the start-up migrations: auto = the embedded PostgreSQL only, true = also DATABASE_URL (refused in production), false = never',
  }),
  DATABASE_POOL_MAX: Type.Integer({
    default: 10,
    minimum: 1,
    maximum: 200,
    description: 'Pool size per process',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({
    default: 2000,
    minimum: 100,
    description: 'Fail fast when the database cannot be reached',
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 100,
    description: 'Server-side statement timeout',
  }),
  // --- Credential rotation: the password is re-read for each new connection (kept together) ---
  DATABASE_PASSWORD_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "File holding the database password, read again for every new connection so a rotated password is picked up without a restart; it wins over DATABASE_URL's password",
    }),
  ),
  DATABASE_PASSWORD_WAIT_MS: Type.Integer({
    default: 30_000,
    minimum: 0,
    maximum: 600_000,
    description:
      'With DATABASE_PASSWORD_FILE: how long a new connection keeps retrying (re-reading the file) while PostgreSQL rejects the password (28P01), because the mounted file lags a rotation; 0 fails at once',
  }),
  DATABASE_POOL_MAX_LIFETIME_SECONDS: Type.Integer({
    default: 1800,
    minimum: 0,
    maximum: 86_400,
    description:
      'Connections are closed and replaced after this long, so sessions opened with a rotated-out password end; 0 keeps them forever',
  }),
  // --- end of credential rotation ---
  MIGRATE_ON_START: Type.Boolean({ default: true, description: 'Apply pending migrations at start-up' }),
  JWT_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description:
        'HMAC secret for tokens; required in production; in development generated once and kept in the local data folder',
    }),
  ),
  JWT_TTL_SECONDS: Type.Integer({ default: 86_400, minimum: 60, description: 'Token lifetime' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level' },
  ),
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'Comma-separated origins allowed cross-origin; empty disables CORS',
  }),
  BODY_LIMIT_BYTES: Type.Integer({
    default: 1_048_576,
    minimum: 1024,
    description: 'Largest accepted request body',
  }),
  // --- Abuse resistance: proxy trust, rate limits, page sizes and HTTP timeouts (kept together) ---
  TRUST_PROXY_HOPS: Type.Integer({
    default: 0,
    minimum: 0,
    maximum: 10,
    description:
      'Proxies in front of the API that append to X-Forwarded-For (2 behind CloudFront + ALB); the client ' +
      'address is the entry this many hops from the socket, so entries a client writes itself are ignored',
  }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({
    default: 100,
    minimum: 1,
    description: 'Login/registration attempts per client address per window, shared by every replica',
  }),
  AUTH_RATE_LIMIT_WINDOW_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    description: 'Window of AUTH_RATE_LIMIT_MAX',
  }),
  AUTH_ACCOUNT_FAILURE_MAX: Type.Integer({
    default: 10,
    minimum: 1,
    description: 'Failed logins/registrations per e-mail per window before that account is locked out',
  }),
  AUTH_ACCOUNT_WINDOW_MS: Type.Integer({
    default: 900_000,
    minimum: 1000,
    description: 'Window (and longest lock-out) of AUTH_ACCOUNT_FAILURE_MAX',
  }),
  ARTICLE_RATE_LIMIT_MAX: Type.Integer({
    default: 10,
    minimum: 1,
    description: 'Articles one user may create per write window',
  }),
  COMMENT_RATE_LIMIT_MAX: Type.Integer({
    default: 30,
    minimum: 1,
    description: 'Comments one user may post per write window',
  }),
  TAG_RATE_LIMIT_MAX: Type.Integer({
    default: 50,
    minimum: 1,
    description: 'Tags that do not exist yet one user may introduce per write window (tags in use are free)',
  }),
  WRITE_RATE_LIMIT_WINDOW_MS: Type.Integer({
    default: 60_000,
    minimum: 1000,
    description: 'Window of the article, comment and tag limits',
  }),
  PAGE_SIZE_MAX: Type.Integer({
    default: 100,
    minimum: 1,
    maximum: 1000,
    description: 'Largest accepted article page size (limit); larger is a 422',
  }),
  TAGS_LIST_MAX: Type.Integer({
    default: 100,
    minimum: 1,
    maximum: 10_000,
    description: 'GET /api/tags lists this many of the most used tags',
  }),
  REQUEST_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 1000,
    description: 'Time a client has to send a whole request (headers and body); 408 beyond',
  }),
  HEADERS_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 1000,
    description: 'Time a client has to send the request headers; at most REQUEST_TIMEOUT_MS',
  }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({
    default: 72_000,
    minimum: 1000,
    description: 'Idle keep-alive connections are closed after this; above the ALB idle timeout (60 s)',
  }),
  // --- end of abuse resistance ---
  SHUTDOWN_DRAIN_DELAY_MS: Type.Integer({
    default: 5000,
    minimum: 0,
    description: 'After SIGTERM, keep serving this long while the load balancer deregisters the pod',
  }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({
    default: 10_000,
    minimum: 0,
    description: 'Bound on finishing in-flight requests after the drain delay',
  }),
  FAULT_ERROR_RATE: Type.Number({
    default: 0,
    minimum: 0,
    maximum: 1,
    description: 'Share of API requests answered 500 (release drills)',
  }),
  FAULT_LATENCY_MS: Type.Integer({
    default: 0,
    minimum: 0,
    maximum: 60_000,
    description: 'Latency added to API requests (release drills)',
  }),
  FAULT_INJECTION_ALLOWED: Type.Boolean({
    default: false,
    description: 'Must be true for fault injection in production',
  }),
  WEB_ROOT: Type.Optional(
    Type.String({ minLength: 1, description: 'Built SPA to serve on / (local one-origin runs)' }),
  ),
  APP_VERSION: Type.String({ default: '0.0.0-dev', description: 'Reported by /version and app_info' }),
  GIT_SHA: Type.String({ default: 'unknown', description: 'Reported by /version and app_info' }),
  BUILD_TIME: Type.String({ default: 'unknown', description: 'Reported by /version' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'OTLP/HTTP endpoint; tracing is off when unset' }),
  ),
});

export type Config = Static<typeof configSchema> & { JWT_SECRET: string };
export type ConfigKey = keyof Static<typeof configSchema>;

export const configKeys = Object.fromEntries(
  Object.keys(configSchema.properties).map((key) => [key, key]),
) as {
  readonly [K in ConfigKey]: K;
};

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`invalid configuration: ${setting} ${detail}`);
    this.name = 'ConfigError';
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};

function coerce(key: ConfigKey, raw: string): unknown {
  const schema = configSchema.properties[key] as { type?: string };
  const text = raw.trim();
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value))
        throw new ConfigError(key, `must be a number (got "${raw}")`);
      return value;
    }
    case 'boolean': {
      const value = BOOLEAN_WORDS[text.toLowerCase()];
      if (value === undefined) throw new ConfigError(key, `must be true or false (got "${raw}")`);
      return value;
    }
    default:
      return text;
  }
}

export interface LoadedConfig {
  readonly config: Config;
  /** JWT_SECRET was unset and `config.JWT_SECRET` is a per-process random one (never in production). */
  readonly generatedJwtSecret: boolean;
}

export interface LoadOptions {
  /**
   * `serve` (the server) requires everything a production server needs; `migrate` (the PreSync Job) needs
   * only the database, so the Job is not handed the token signing secret it has no use for.
   * @default 'serve'
   */
  readonly purpose?: 'serve' | 'migrate';
}

/** The ALB's idle timeout: the API must keep idle connections longer, or the ALB reuses closed ones (502). */
export const ALB_IDLE_TIMEOUT_MS = 60_000;

function checkAbuseSettings(parsed: Static<typeof configSchema>, env: Record<string, string | undefined>) {
  // The boolean trusted every X-Forwarded-For entry, which the client writes: a leftover must not be
  // silently ignored, nor silently keep its old meaning.
  if (env.TRUST_PROXY !== undefined) {
    throw new ConfigError('TRUST_PROXY', 'is replaced by TRUST_PROXY_HOPS (the number of proxies in front)');
  }
  if (parsed.HEADERS_TIMEOUT_MS > parsed.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'HEADERS_TIMEOUT_MS',
      `must not exceed REQUEST_TIMEOUT_MS (${parsed.REQUEST_TIMEOUT_MS})`,
    );
  }
  if (parsed.NODE_ENV === 'production' && parsed.KEEP_ALIVE_TIMEOUT_MS <= ALB_IDLE_TIMEOUT_MS) {
    throw new ConfigError(
      'KEEP_ALIVE_TIMEOUT_MS',
      `must exceed the ALB idle timeout (${ALB_IDLE_TIMEOUT_MS}) in production`,
    );
  }
}

function checkDatabaseSettings(parsed: Static<typeof configSchema>): void {
  const file = parsed.DATABASE_PASSWORD_FILE;
  if (file !== undefined) {
    // Checked at boot so a wrong mount path stops the pod with this line, not later as a failed connection.
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      throw new ConfigError(
        'DATABASE_PASSWORD_FILE',
        `must be a readable file (${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  }
}

/** Validates the environment; throws a ConfigError naming the first bad setting. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadOptions = {},
): LoadedConfig {
  // Ignoring it would silently start on a fresh data folder, as if the data were lost.
  if (env.EMBEDDED_POSTGRES_DATA_DIR) {
    throw new ConfigError(
      'EMBEDDED_POSTGRES_DATA_DIR',
      'was replaced by LOCAL_DATA_DIR, the folder that holds postgres/ (the data directory) and its password',
    );
  }
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.properties) as ConfigKey[]) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') input[key] = coerce(key, raw);
  }
  const withDefaults = Value.Default(configSchema, input) as Record<string, unknown>;
  const [first] = Value.Errors(configSchema, withDefaults);
  if (first) {
    const key = first.instancePath.replace(/^\//, '').split('/')[0] || 'configuration';
    // Secrets are never echoed; the password *file* and *wait* settings are not secrets and are shown.
    const shown =
      key in input && !/SECRET|PASSWORD$|DATABASE_URL/.test(key) ? ` (got "${String(input[key])}")` : '';
    // For a choice of words the validator only says "must be equal to constant": name the words instead.
    const words = (
      configSchema.properties[key as ConfigKey] as { anyOf?: { const?: unknown }[] } | undefined
    )?.anyOf?.map((option) => option.const);
    const rule = words?.every((word) => typeof word === 'string')
      ? `must be one of ${words.join(', ')}`
      : first.message;
    throw new ConfigError(key, `${rule}${shown}`);
  }
  const parsed = withDefaults as Static<typeof configSchema>;
  checkAbuseSettings(parsed, env);
  checkDatabaseSettings(parsed);
  if (parsed.NODE_ENV === 'production') {
    if (!parsed.JWT_SECRET && options.purpose !== 'migrate')
      throw new ConfigError('JWT_SECRET', 'is required in production');
    if (!parsed.DATABASE_URL) throw new ConfigError('DATABASE_URL', 'is required in production');
    const faults = parsed.FAULT_ERROR_RATE > 0 || parsed.FAULT_LATENCY_MS > 0;
    if (faults && !parsed.FAULT_INJECTION_ALLOWED) {
      throw new ConfigError(
        'FAULT_INJECTION_ALLOWED',
        'must be true to use FAULT_ERROR_RATE/FAULT_LATENCY_MS in production',
      );
    }
    if (parsed.SEED_DEMO_DATA === 'true')
      throw new ConfigError('SEED_DEMO_DATA', 'must not be true in production');
  }
  // A per-process secret keeps tests and tools friction-free; in development the server replaces it with one
  // kept in the local data folder (local/jwt-secret.ts), which loading the configuration must not write.
  const generatedJwtSecret = !parsed.JWT_SECRET;
  const jwtSecret = parsed.JWT_SECRET ?? randomBytes(32).toString('hex');
  return { config: { ...parsed, JWT_SECRET: jwtSecret }, generatedJwtSecret };
}
