import type pg from 'pg';
import { followingSql, type ProfileRow } from '../shared.js';

export interface ProfileWithId extends ProfileRow {
  id: string;
}

export function profilesRepository(db: pg.Pool) {
  return {
    /** The profile of `username` (matched like the unique index: case-insensitively) as `readerId` sees it. */
    async find(username: string, readerId: string | null): Promise<ProfileWithId | undefined> {
      const { rows } = await db.query<ProfileWithId>(
        `SELECT u.id::text AS id, u.username, u.bio, u.image, ${followingSql(2, 'u.id')} AS following
           FROM users u WHERE lower(u.username) = lower($1::text)`,
        [username, readerId],
      );
      return rows[0];
    },

    async follow(followerId: string, followeeId: string): Promise<void> {
      await db.query(
        'INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [followerId, followeeId],
      );
    },

    async unfollow(followerId: string, followeeId: string): Promise<void> {
      await db.query('DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2', [
        followerId,
        followeeId,
      ]);
    },
  };
}
