import { useSyncExternalStore } from 'react';
import { api, onRejectedToken } from '../api/index.js';
import { type AuthState, AuthStore } from './auth-store.js';
import { getToken } from './token-storage.js';

export const auth = new AuthStore(() => api.currentUser());
onRejectedToken((token) => auth.expire(token));

export function useAuth(): AuthState {
  return useSyncExternalStore(auth.subscribe, auth.getState, auth.getState);
}

export interface ConduitDebug {
  getToken(): string | null;
  getAuthState(): AuthState['status'];
  getCurrentUser(): AuthState['user'];
}

declare global {
  interface Window {
    __conduit_debug__?: ConduitDebug;
  }
}

/** The debug interface the shared e2e suite reads (selectors contract). */
export function installDebugInterface(target: Window): void {
  target.__conduit_debug__ = {
    getToken,
    getAuthState: () => auth.getState().status,
    getCurrentUser: () => auth.getState().user,
  };
}
