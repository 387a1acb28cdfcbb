/** The Secret and key `DATABASE_URL` comes from: the ExternalSecret built from deploy/aws's RDS credentials. */
export const DATABASE_URL_SECRET = { name: 'conduit-db', key: 'DATABASE_URL' } as const;

/**
 * The password alone, in the same Secret: pods mount it as a file (DATABASE_PASSWORD_FILE) that the kubelet
 * rewrites after a rotation, whereas a variable keeps the value the pod started with.
 */
export const DATABASE_PASSWORD_SECRET = { name: DATABASE_URL_SECRET.name, key: 'password' } as const;

export const JWT_SECRET = { name: 'conduit-jwt', key: 'JWT_SECRET' } as const;

/**
 * The SMTP relay URL of clusters without AWS (no SES): a Secret created out of band, like the plain secrets,
 * because the URL carries the relay's credentials.
 */
export const SMTP_SECRET = { name: 'conduit-smtp', key: 'SMTP_URL' } as const;
