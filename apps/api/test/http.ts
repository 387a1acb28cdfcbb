import { randomBytes } from 'node:crypto';
import type { ErrorResponse, UserResponse } from '@conduit/contracts';
import { expect } from 'vitest';

export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface CallOptions {
  readonly token?: string | undefined;
  /** A value to send as JSON, or a string sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A tiny real-HTTP client for the API under test (global fetch, no mocks). */
export function client(baseUrl: string) {
  async function call<T = unknown>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Token ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  }
  return {
    call,
    get: <T = unknown>(path: string, options?: CallOptions) => call<T>('GET', path, options),
    post: <T = unknown>(path: string, options?: CallOptions) => call<T>('POST', path, options),
    put: <T = unknown>(path: string, options?: CallOptions) => call<T>('PUT', path, options),
    del: <T = unknown>(path: string, options?: CallOptions) => call<T>('DELETE', path, options),
  };
}

export type Client = ReturnType<typeof client>;

export interface TestUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
}

/** Registers a user with unique names (argon2 makes this the slow part of a suite: reuse users). */
export async function registerUser(api: Client, name = 'user'): Promise<TestUser> {
  const suffix = randomBytes(3).toString('hex');
  const user = {
    username: `${name}${suffix}`,
    email: `${name}${suffix}@example.org`,
    password: `pw-${suffix}-secret`,
  };
  const result = await api.post<UserResponse>('/api/users', { body: { user } });
  expect(result.status, result.text).toBe(201);
  return { ...user, token: result.body.user.token };
}

/** Asserts the spec's error shape with exactly this field and message. */
export function expectError(result: HttpResult, status: number, field: string, message?: string): void {
  expect(result.status, result.text).toBe(status);
  expectErrorShape(result);
  const { errors } = result.body as ErrorResponse;
  expect(Object.keys(errors), result.text).toContain(field);
  if (message !== undefined) expect(errors[field], result.text).toContain(message);
}

/** `{"errors":{"<field>":["<message>", ...]}}` as JSON, nothing else. */
export function expectErrorShape(result: HttpResult): void {
  expect(result.headers.get('content-type'), result.text).toMatch(/^application\/json/);
  const body = result.body as ErrorResponse;
  expect(Object.keys(body), result.text).toEqual(['errors']);
  const entries = Object.entries(body.errors);
  expect(entries.length, result.text).toBeGreaterThan(0);
  for (const [, messages] of entries) {
    expect(
      Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string'),
    ).toBe(true);
  }
}
