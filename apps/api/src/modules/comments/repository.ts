import type pg from 'pg';
import { followingSql, type ProfileRow } from '../shared.js';

export interface CommentRow extends ProfileRow {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  body: string;
}

// $1 is the reader (NULL when anonymous), for the authors' `following`.
const SELECT = `
  SELECT c.id::text AS id, c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.body,
         u.username, u.bio, u.image, ${followingSql(1, 'c.author_id')} AS following
    FROM comments c JOIN users u ON u.id = c.author_id`;

export function commentsRepository(db: pg.Pool) {
  return {
    async articleId(slug: string): Promise<string | undefined> {
      const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM articles WHERE slug = $1', [
        slug,
      ]);
      return rows[0]?.id;
    },

    /** An article's comments, oldest first (the order of the conversation). */
    async list(articleId: string, readerId: string | null): Promise<CommentRow[]> {
      const { rows } = await db.query<CommentRow>(`${SELECT} WHERE c.article_id = $2 ORDER BY c.id`, [
        readerId,
        articleId,
      ]);
      return rows;
    },

    /**
     * Creates the comment and, in the same statement (so atomically), queues the e-mail to the article's
     * author for the notifier worker; an author commenting on their own article is not notified.
     */
    async create(articleId: string, authorId: string, body: string): Promise<CommentRow> {
      const { rows } = await db.query<CommentRow>(
        `WITH c AS (
           INSERT INTO comments (article_id, author_id, body) VALUES ($2, $1, $3)
           RETURNING id, created_at, updated_at, body, author_id, article_id
         ), queued AS (
           INSERT INTO comment_notifications (comment_id, recipient_id)
           SELECT c.id, a.author_id FROM c JOIN articles a ON a.id = c.article_id
            WHERE a.author_id <> c.author_id
         )
         ${SELECT.replace('FROM comments c', 'FROM c')}`,
        [authorId, articleId, body],
      );
      return rows[0]!;
    },

    async findAuthor(articleId: string, commentId: number): Promise<string | undefined> {
      const { rows } = await db.query<{ authorId: string }>(
        'SELECT author_id::text AS "authorId" FROM comments WHERE id = $1 AND article_id = $2',
        [commentId, articleId],
      );
      return rows[0]?.authorId;
    },

    async remove(commentId: number): Promise<void> {
      await db.query('DELETE FROM comments WHERE id = $1', [commentId]);
    },
  };
}
