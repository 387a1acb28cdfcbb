import type pg from 'pg';
import { violatedUniqueIndex } from '../shared.js';
import { checkUsername, skeleton } from './username.js';

const BATCH = 500;

export interface BackfillResult {
  readonly filled: number;
  /** Ids of users whose name looks like an earlier user's: left without a skeleton, for a person to rename. */
  readonly confusable: readonly string[];
  /** Ids of users whose name has characters registration now refuses (invisible, bidi, outer spaces). */
  readonly refused: readonly string[];
}

/**
 * Gives every user without one their username skeleton (migration 0005 added the column empty, and the
 * previous API version keeps writing rows without it during a canary). Runs after the migrations, in
 * batches; names are not changed, only reported: renaming someone is a decision for a person.
 */
export async function backfillUsernameSkeletons(db: pg.Pool): Promise<BackfillResult> {
  let filled = 0;
  const confusable: string[] = [];
  const refused: string[] = [];
  for (let after = '0'; ; ) {
    const { rows } = await db.query<{ id: string; username: string }>(
      `SELECT id::text AS id, username FROM users
        WHERE username_skeleton IS NULL AND users.id > $1::bigint ORDER BY users.id LIMIT $2`,
      [after, BATCH],
    );
    if (rows.length === 0) return { filled, confusable, refused };
    for (const { id, username } of rows) {
      after = id;
      if (!checkUsername(username).ok) refused.push(id);
      try {
        await db.query(
          'UPDATE users SET username_skeleton = $2 WHERE id = $1 AND username_skeleton IS NULL',
          [id, skeleton(username.normalize('NFKC'))],
        );
        filled += 1;
      } catch (error) {
        if (violatedUniqueIndex(error) !== 'users_username_skeleton_key') throw error;
        confusable.push(id);
      }
    }
  }
}
