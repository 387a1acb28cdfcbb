import { messages, type Profile } from '@conduit/contracts';
import type pg from 'pg';
import { HttpError } from '../plugins/app/errors.js';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back (its session ended) must not go back to the pool.
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The unique index a unique violation (23505) hit, or undefined for any other error. */
export function violatedUniqueIndex(error: unknown): string | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' ? constraint : undefined;
}

/** The foreign key a foreign-key violation (23503) hit, or undefined for any other error. */
export function violatedForeignKey(error: unknown): string | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23503' && typeof constraint === 'string' ? constraint : undefined;
}

/** A validly signed token whose user does not exist (deleted since, or never was): as good as no token. */
export const unknownTokenUser = () => new HttpError(401, 'token', messages.tokenInvalid);

/**
 * Awaits a write that references rows by id. Tokens are checked by signature only, so the token's user
 * may be gone, and a target can be deleted between its lookup and the write: the foreign key that the
 * write violated says which, and the client gets the 401 or 404 it stands for instead of a 500.
 */
export async function referencing<T>(
  work: Promise<T>,
  missing: Readonly<Record<string, () => HttpError>>,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const replacement = missing[violatedForeignKey(error) ?? ''];
    throw replacement ? replacement() : error;
  }
}

export interface ProfileRow {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

export function toProfile(row: ProfileRow): Profile {
  return { username: row.username, bio: row.bio, image: row.image, following: row.following };
}

/** `following` of `authorColumn` as seen by the reader in parameter `$readerParam` (false when anonymous). */
export function followingSql(readerParam: number, authorColumn: string): string {
  return `EXISTS (SELECT 1 FROM follows fo WHERE fo.follower_id = $${readerParam} AND fo.followee_id = ${authorColumn})`;
}

/** An empty bio or image means "none": stored and answered as null. */
export function emptyToNull(value: string | null | undefined): string | null | undefined {
  return value === '' ? null : value;
}
