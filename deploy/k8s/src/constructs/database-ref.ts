import type { RenderSettings } from '../settings.js';

/** CloudNativePG cluster name in dev and non-AWS stages. */
export const CNPG_CLUSTER = 'conduit-db';

/** Where `DATABASE_URL` comes from: the ExternalSecret/plain Secret, or the Secret CloudNativePG creates. */
export function databaseUrlSecret(stage: RenderSettings): { name: string; key: string } {
  return stage.database.kind === 'cnpg'
    ? { name: `${CNPG_CLUSTER}-app`, key: 'uri' }
    : { name: 'conduit-db', key: 'DATABASE_URL' };
}

export const JWT_SECRET = { name: 'conduit-jwt', key: 'JWT_SECRET' } as const;

/**
 * The SMTP relay URL of clusters without AWS (no SES): a Secret created out of band, like the plain secrets,
 * because the URL carries the relay's credentials.
 */
export const SMTP_SECRET = { name: 'conduit-smtp', key: 'SMTP_URL' } as const;
