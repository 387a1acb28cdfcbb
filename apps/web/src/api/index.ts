import { getToken } from '../app/token-storage.js';
import { createClient } from './client.js';
import { conduitApi } from './conduit-api.js';

export { ApiError, describeError, NETWORK_ERROR_MESSAGE } from './client.js';
export type { ArticleQuery } from './conduit-api.js';
export type * from './types.js';

const baseUrl = import.meta.env.VITE_API_BASE ?? '/api';

// The session (app/auth.ts) registers here: it imports the API, so the API cannot import it.
let tokenRejected: (token: string) => void = () => {};

/** Who hears that the API rejected the stored token (the session, which then signs out). */
export function onRejectedToken(listener: (token: string) => void): void {
  tokenRejected = listener;
}

/** The app-wide API, authenticated with the stored token. */
export const api = conduitApi(
  createClient({ baseUrl, getToken, onRejectedToken: (token) => tokenRejected(token) }),
);
