/** The Secret and key `DATABASE_URL` comes from: the ExternalSecret built from deploy/aws's RDS credentials. */
export const DATABASE_URL_SECRET = { name: 'conduit-db', key: 'DATABASE_URL' } as const;

export const JWT_SECRET = { name: 'conduit-jwt', key: 'JWT_SECRET' } as const;
