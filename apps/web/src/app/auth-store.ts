import { ApiError } from '../api/client.js';
import type { User } from '../api/types.js';
import { getToken, setToken } from './token-storage.js';

export type AuthStatus = 'loading' | 'authenticated' | 'unauthenticated' | 'unavailable';

export interface AuthState {
  readonly status: AuthStatus;
  readonly user: User | null;
}

type Listener = () => void;

/**
 * The session: who is signed in, kept in step with the `jwtToken` in localStorage.
 * A rejected token (4xx) signs the user out; an unreachable or broken server keeps the token and reports
 * `unavailable`, so a flaky API never logs anybody out.
 */
export class AuthStore {
  private state: AuthState = { status: 'loading', user: null };
  private readonly listeners = new Set<Listener>();

  constructor(private readonly fetchCurrentUser: () => Promise<User>) {}

  getState = (): AuthState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(state: AuthState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  async init(): Promise<void> {
    if (!getToken()) {
      this.set({ status: 'unauthenticated', user: null });
      return;
    }
    this.set({ status: 'loading', user: null });
    try {
      const user = await this.fetchCurrentUser();
      if (!user || typeof user.username !== 'string') throw new ApiError('malformed', 200, {});
      this.set({ status: 'authenticated', user: withToken(user) });
    } catch (error) {
      if (error instanceof ApiError && error.isClientError) {
        setToken(null);
        this.set({ status: 'unauthenticated', user: null });
      } else {
        this.set({ status: 'unavailable', user: null });
      }
    }
  }

  /** After sign-in, sign-up or a settings update: the server's user (with its fresh token) is the session. */
  signIn(user: User): void {
    if (user.token) setToken(user.token);
    this.set({ status: 'authenticated', user: withToken(user) });
  }

  signOut(): void {
    setToken(null);
    this.set({ status: 'unauthenticated', user: null });
  }

  /** The API refused `token`: drop it, as at startup, unless a newer sign-in has replaced it meanwhile. */
  expire(token: string): void {
    if (getToken() === token) this.signOut();
  }
}

function withToken(user: User): User {
  return { ...user, token: user.token || getToken() || '' };
}
