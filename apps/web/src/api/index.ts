import { getToken } from '../app/token-storage.js';
import { createClient } from './client.js';
import { conduitApi } from './conduit-api.js';

export { ApiError, describeError, NETWORK_ERROR_MESSAGE } from './client.js';
export type { ArticleQuery } from './conduit-api.js';
export type * from './types.js';

const baseUrl = import.meta.env.VITE_API_BASE ?? '/api';

/** The app-wide API, authenticated with the stored token. */
export const api = conduitApi(createClient({ baseUrl, getToken }));
