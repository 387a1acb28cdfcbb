// Errors that mean "the database cannot be reached right now" rather than "this query is wrong". They are
// answered 503 immediately so that clients and the load balancer see an outage, not a bug.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);
// 08: connection exceptions; 57P01-57P03: the server is shutting down or starting up; 53300: too many connections;
// 28P01: the password was refused, which after a rotation lasts until the password file catches up.
const SQLSTATE_PREFIXES = ['08', '57P01', '57P02', '57P03', '53300', '28P01'];
const MESSAGES = [/timeout exceeded when trying to connect/i, /connection terminated/i, /Connection ended/i];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return MESSAGES.some((pattern) => pattern.test(error.message));
}

export class DatabaseUnavailableError extends Error {
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export function asUnavailable(error: unknown): unknown {
  // pool.query checks clients out through the wrapped pool.connect: wrap once, keeping the driver's error as cause.
  if (error instanceof DatabaseUnavailableError) return error;
  return isDatabaseUnavailable(error) ? new DatabaseUnavailableError(error) : error;
}
