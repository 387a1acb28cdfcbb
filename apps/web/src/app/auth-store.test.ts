// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import type { User } from '../api/types.js';
import { AuthStore } from './auth-store.js';
import { TOKEN_KEY } from './token-storage.js';

const ann: User = {
  username: 'ann',
  email: 'ann@example.com',
  bio: null,
  image: null,
  token: 'fresh.jwt.token',
};

function storeAnswering(answer: () => Promise<User>) {
  const store = new AuthStore(answer);
  const seen: string[] = [];
  store.subscribe(() => seen.push(store.getState().status));
  return { store, seen };
}

afterEach(() => localStorage.clear());

describe('AuthStore', () => {
  it('without a stored token is signed out at once and asks the API nothing', async () => {
    let asked = false;
    const { store } = storeAnswering(async () => {
      asked = true;
      return ann;
    });
    expect(store.getState().status).toBe('loading');
    await store.init();
    expect(store.getState()).toEqual({ status: 'unauthenticated', user: null });
    expect(asked).toBe(false);
  });

  it('restores the session from the stored token', async () => {
    localStorage.setItem(TOKEN_KEY, 'stored.jwt.token');
    const { store, seen } = storeAnswering(async () => ({ ...ann, token: '' }));
    await store.init();
    expect(seen).toEqual(['loading', 'authenticated']);
    expect(store.getState().user).toEqual({ ...ann, token: 'stored.jwt.token' });
  });

  it('drops a token the API rejects (4xx)', async () => {
    localStorage.setItem(TOKEN_KEY, 'expired.jwt.token');
    const { store } = storeAnswering(async () => {
      throw new ApiError('http', 401, { token: ['is invalid'] });
    });
    await store.init();
    expect(store.getState().status).toBe('unauthenticated');
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it.each([
    ['a 5xx', new ApiError('http', 503, {})],
    ['a network error', new ApiError('network', 0, {})],
    ['a malformed body', new ApiError('malformed', 200, {})],
  ])('keeps the token and reports "unavailable" on %s', async (_name, error) => {
    localStorage.setItem(TOKEN_KEY, 'good.jwt.token');
    const { store } = storeAnswering(async () => {
      throw error;
    });
    await store.init();
    expect(store.getState()).toEqual({ status: 'unavailable', user: null });
    expect(localStorage.getItem(TOKEN_KEY)).toBe('good.jwt.token');
  });

  it('treats a 200 without a user as unavailable rather than crashing', async () => {
    localStorage.setItem(TOKEN_KEY, 'good.jwt.token');
    const { store } = storeAnswering(async () => undefined as unknown as User);
    await store.init();
    expect(store.getState().status).toBe('unavailable');
  });

  it('stores the token on sign-in and forgets it on sign-out', () => {
    const { store, seen } = storeAnswering(async () => ann);
    store.signIn(ann);
    expect(localStorage.getItem(TOKEN_KEY)).toBe('fresh.jwt.token');
    expect(store.getState()).toEqual({ status: 'authenticated', user: ann });
    store.signOut();
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(seen).toEqual(['authenticated', 'unauthenticated']);
  });
});
