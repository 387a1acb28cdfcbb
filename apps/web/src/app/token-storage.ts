/** The localStorage key the selectors contract fixes for the JWT. */
export const TOKEN_KEY = 'jwtToken';

export function getToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) globalThis.localStorage?.setItem(TOKEN_KEY, token);
    else globalThis.localStorage?.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled (private mode, quota); the session then lasts until reload.
  }
}
