import { startApiProcess } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, startTestApi, type TestApi } from '../../../test/helpers.js';
import { type Client, client, expectError, type HttpResult, registerUser } from '../../../test/http.js';

const login = (api: Client, email: string, password = 'wrong-password', forwardedFor?: string) =>
  api.post('/api/users/login', {
    body: { user: { email, password } },
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  });

function expectThrottled(result: HttpResult, field: string): void {
  expectError(result, 429, field);
  const retryAfter = Number(result.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, result.text).toBe(true);
}

describe('the client address the login limit sees', () => {
  let servers: TestApi[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });
  const start = async (overrides: Record<string, string>) => {
    const server = await startTestApi({ AUTH_ACCOUNT_FAILURE_MAX: '1000', ...overrides });
    servers = [...servers, server];
    return client(server.url);
  };

  it('behind one proxy is the entry that proxy appended, whatever the client wrote before it', async () => {
    const api = await start({ TRUST_PROXY_HOPS: '1', AUTH_RATE_LIMIT_MAX: '5' });
    // The client forges a new address on every attempt; the proxy appends the one it really came from.
    for (let i = 0; i < 5; i++) {
      const forged = `10.${i}.0.1, 198.51.100.${i}`;
      expectError(
        await login(api, `nobody${i}@example.org`, 'x', `${forged}, 203.0.113.7`),
        401,
        'credentials',
      );
    }
    expectThrottled(await login(api, 'nobody9@example.org', 'x', '10.9.9.9, 203.0.113.7'), 'request');
    // Another client behind the same proxy has a budget of its own.
    expectError(await login(api, 'nobody9@example.org', 'x', '203.0.113.8'), 401, 'credentials');
  });

  it('without a trusted proxy is the socket peer: X-Forwarded-For is ignored', async () => {
    const api = await start({ AUTH_RATE_LIMIT_MAX: '3' });
    for (let i = 0; i < 3; i++) {
      expect((await login(api, `x${i}@example.org`, 'x', `198.51.100.${i}`)).status).toBe(401);
    }
    expectThrottled(await login(api, 'x9@example.org', 'x', '198.51.100.99'), 'request');
  });
});

describe('failed sign-ins per account', () => {
  let server: TestApi;
  let api: Client;
  beforeAll(async () => {
    // One trusted proxy, so each attempt below can come "from" another address, as a botnet's would.
    server = await startTestApi({ TRUST_PROXY_HOPS: '1', AUTH_ACCOUNT_FAILURE_MAX: '3' });
    api = client(server.url);
  });
  afterAll(() => server?.close());

  it('lock the account out after AUTH_ACCOUNT_FAILURE_MAX failures, from however many addresses', async () => {
    const victim = await registerUser(api, 'victim');
    const other = await registerUser(api, 'bystander');
    for (let i = 0; i < 3; i++) {
      expectError(await login(api, victim.email, 'guess', `203.0.113.${i}`), 401, 'credentials');
    }
    expectThrottled(await login(api, victim.email.toUpperCase(), 'guess', '203.0.113.50'), 'email');
    // Locked is locked: the right password waits too, so a guess cannot be confirmed by a 200.
    expectThrottled(await login(api, victim.email, victim.password, '203.0.113.51'), 'email');
    expect((await login(api, other.email, other.password, '203.0.113.52')).status).toBe(200);
  });

  it('never count successful sign-ins: one account may sign in many times a minute', async () => {
    const user = await registerUser(api, 'frequent');
    for (let i = 0; i < 12; i++) expect((await login(api, user.email, user.password)).status).toBe(200);
    expectError(await login(api, user.email, 'wrong once'), 401, 'credentials');
    expect((await login(api, user.email, user.password)).status).toBe(200);
  });

  it('count failed registrations of an e-mail too', async () => {
    const owner = await registerUser(api, 'owner');
    const again = (i: number) =>
      api.post('/api/users', {
        body: { user: { username: `squatter${i}`, email: owner.email, password: 'long enough' } },
      });
    for (let i = 0; i < 3; i++) expectError(await again(i), 409, 'email');
    expectThrottled(await again(9), 'email');
  });
});

describe('two API processes on one database', () => {
  it('share one budget per client and per account', async () => {
    const databaseUrl = await createDatabase('limits_shared');
    const env = { DATABASE_URL: databaseUrl, AUTH_RATE_LIMIT_MAX: '6', AUTH_ACCOUNT_FAILURE_MAX: '2' };
    const a = await startApiProcess({ env });
    const b = await startApiProcess({ env });
    try {
      const [apiA, apiB] = [client(a.url), client(b.url)];
      // The account: one failure on each replica spends its budget of two.
      expectError(await login(apiA, 'shared@example.org'), 401, 'credentials');
      expectError(await login(apiB, 'shared@example.org'), 401, 'credentials');
      expectThrottled(await login(apiA, 'shared@example.org'), 'email');
      // The client: three attempts so far; three more, alternating replicas, and the seventh is refused.
      for (let i = 0; i < 3; i++) {
        expectError(await login(i % 2 ? apiA : apiB, `other${i}@example.org`), 401, 'credentials');
      }
      expectThrottled(await login(apiB, 'other9@example.org'), 'request');
      expectThrottled(await login(apiA, 'other9@example.org'), 'request');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
