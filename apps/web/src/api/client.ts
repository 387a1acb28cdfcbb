import type { ErrorResponse } from './types.js';

export const NETWORK_ERROR_MESSAGE = 'Unable to connect. Please check your internet connection.';

/** Why a request failed: the server answered with an error status, or no usable answer came back. */
export type ApiErrorKind = 'http' | 'network' | 'malformed';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly errors: Record<string, string[]>;

  constructor(kind: ApiErrorKind, status: number, errors: Record<string, string[]>) {
    super(errorMessages(errors).join('; ') || `request failed (${kind} ${status})`);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.errors = errors;
  }

  /** 4xx: the server rejected this request; retrying it unchanged will not help. */
  get isClientError(): boolean {
    return this.kind === 'http' && this.status >= 400 && this.status < 500;
  }

  /** One line per field message, as the RealWorld error list shows them ("email has already been taken"). */
  get messages(): string[] {
    return errorMessages(this.errors);
  }
}

export function errorMessages(errors: Record<string, string[]>): string[] {
  return Object.entries(errors).flatMap(([field, messages]) =>
    (Array.isArray(messages) ? messages : [String(messages)]).map((message) => `${field} ${message}`),
  );
}

/** The messages to show for any thrown value, so a form never has to guess what it caught. */
export function describeError(error: unknown): string[] {
  if (error instanceof ApiError) {
    if (error.kind === 'network') return [NETWORK_ERROR_MESSAGE];
    return error.messages.length > 0 ? error.messages : [`The server answered ${error.status || 'badly'}.`];
  }
  return ['Something went wrong.'];
}

function isErrorModel(value: unknown): value is ErrorResponse {
  if (typeof value !== 'object' || value === null) return false;
  const errors = (value as { errors?: unknown }).errors;
  return typeof errors === 'object' && errors !== null && !Array.isArray(errors);
}

export interface ClientOptions {
  baseUrl: string;
  getToken: () => string | null;
  fetch?: typeof fetch;
  /** Requests that take longer are aborted and reported as network errors. */
  timeoutMs?: number;
  /**
   * The API answered 401 to a request that carried this token (malformed, expired or revoked). Reads are
   * then sent again without it: public content never depends on a token being valid.
   */
  onRejectedToken?: (token: string) => void;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Client {
  request<T>(method: Method, path: string, body?: unknown): Promise<T>;
}

export function createClient(options: ClientOptions): Client {
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  async function send<T>(method: Method, path: string, body: unknown, token: string | null): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Token ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw new ApiError('network', 0, {});
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new ApiError('network', response.status, {});
    }
    let payload: unknown = {};
    if (text.trim() !== '') {
      try {
        payload = JSON.parse(text);
      } catch {
        if (response.ok) throw new ApiError('malformed', response.status, {});
        payload = {};
      }
    }
    if (!response.ok) {
      throw new ApiError('http', response.status, isErrorModel(payload) ? payload.errors : {});
    }
    return payload as T;
  }

  return {
    async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
      const token = options.getToken();
      try {
        return await send<T>(method, path, body, token);
      } catch (error) {
        if (!(token && error instanceof ApiError && error.kind === 'http' && error.status === 401))
          throw error;
        options.onRejectedToken?.(token);
        if (method !== 'GET') throw error;
        return send<T>(method, path, body, null);
      }
    },
  };
}
