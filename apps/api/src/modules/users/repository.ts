import type pg from 'pg';
import { violatedUniqueIndex } from '../shared.js';

export interface UserRow {
  id: string;
  username: string;
  email: string;
  bio: string | null;
  image: string | null;
  /** Tokens carry it; incrementing it revokes every token issued before. */
  tokenVersion: number;
}

export interface UserWithHash extends UserRow {
  passwordHash: string;
}

export interface UserChanges {
  username?: string;
  /** Set together with `username` (see username.ts). */
  usernameSkeleton?: string;
  email?: string;
  passwordHash?: string;
  bio?: string | null;
  image?: string | null;
}

/** Which field a duplicate username or email collides on. */
export class TakenError extends Error {
  constructor(readonly field: 'username' | 'email') {
    super(`${field} is taken`);
    this.name = 'TakenError';
  }
}

const COLUMNS = 'id::text AS id, username, email, bio, image, token_version AS "tokenVersion"';

const UNIQUE_FIELDS: Record<string, 'username' | 'email'> = {
  users_username_key: 'username',
  users_email_key: 'email',
  // A confusable name registered at the same moment: the pre-check answers 422, the race a 409.
  users_username_skeleton_key: 'username',
};

function asTaken(error: unknown): unknown {
  const field = UNIQUE_FIELDS[violatedUniqueIndex(error) ?? ''];
  return field ? new TakenError(field) : error;
}

export function usersRepository(db: pg.Pool) {
  return {
    async findById(id: string): Promise<UserRow | undefined> {
      const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0];
    },

    async findByEmail(email: string): Promise<UserWithHash | undefined> {
      const { rows } = await db.query<UserWithHash>(
        `SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM users WHERE lower(email) = lower($1::text)`,
        [email],
      );
      return rows[0];
    },

    /** The first of username/email another user (not `exceptId`) already has, checked before hashing. */
    async takenField(
      username: string | undefined,
      email: string | undefined,
      exceptId?: string,
    ): Promise<'username' | 'email' | undefined> {
      const { rows } = await db.query<{ username: boolean; email: boolean }>(
        `SELECT coalesce(bool_or(lower(username) = lower($1::text)), false) AS username,
                coalesce(bool_or(lower(email) = lower($2::text)), false) AS email
           FROM users
          WHERE (lower(username) = lower($1::text) OR lower(email) = lower($2::text))
            AND ($3::bigint IS NULL OR id <> $3::bigint)`,
        [username ?? null, email ?? null, exceptId ?? null],
      );
      if (rows[0]?.username) return 'username';
      if (rows[0]?.email) return 'email';
      return undefined;
    },

    /** Whether another user (not `exceptId`) has a name with this confusable skeleton. */
    async confusable(usernameSkeleton: string, exceptId?: string): Promise<boolean> {
      const { rows } = await db.query(
        'SELECT 1 FROM users WHERE username_skeleton = $1 AND ($2::bigint IS NULL OR id <> $2::bigint)',
        [usernameSkeleton, exceptId ?? null],
      );
      return rows.length > 0;
    },

    async create(user: {
      username: string;
      usernameSkeleton: string;
      email: string;
      passwordHash: string;
    }): Promise<UserRow> {
      try {
        const { rows } = await db.query<UserRow>(
          `INSERT INTO users (username, username_skeleton, email, password_hash) VALUES ($1, $2, $3, $4)
           RETURNING ${COLUMNS}`,
          [user.username, user.usernameSkeleton, user.email, user.passwordHash],
        );
        return rows[0]!;
      } catch (error) {
        throw asTaken(error);
      }
    },

    async update(id: string, changes: UserChanges): Promise<UserRow | undefined> {
      const columns: Record<keyof UserChanges, string> = {
        username: 'username',
        usernameSkeleton: 'username_skeleton',
        email: 'email',
        passwordHash: 'password_hash',
        bio: 'bio',
        image: 'image',
      };
      // A new password revokes every token issued with the old one.
      const sets: string[] = ['updated_at = now()'];
      if (changes.passwordHash !== undefined) sets.push('token_version = token_version + 1');
      const values: unknown[] = [id];
      for (const key of Object.keys(columns) as (keyof UserChanges)[]) {
        if (changes[key] === undefined) continue;
        values.push(changes[key]);
        sets.push(`${columns[key]} = $${values.length}`);
      }
      try {
        const { rows } = await db.query<UserRow>(
          `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
          values,
        );
        return rows[0];
      } catch (error) {
        throw asTaken(error);
      }
    },

    /** Signs the user out everywhere: every token issued so far stops working. */
    async revokeTokens(id: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = $1',
        [id],
      );
      return rowCount === 1;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
