import type pg from 'pg';
import { followingSql, type ProfileRow } from '../shared.js';

export interface CommentRow extends ProfileRow {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  body: string;
}

// $1 is the reader (NULL when anonymous), for the authors' `following`.
const COLUMNS = `c.id::text AS id, c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.body,
         u.username, u.bio, u.image, ${followingSql(1, 'c.author_id')} AS following`;
const SELECT = `SELECT ${COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id`;

export function commentsRepository(db: pg.Pool) {
  return {
    async articleId(slug: string): Promise<string | undefined> {
      const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM articles WHERE slug = $1', [
        slug,
      ]);
      return rows[0]?.id;
    },

    /**
     * The comments of the article with this slug, oldest first (the order of the conversation), or undefined
     * when there is no such article: one statement, so the most read route costs one round trip. The article
     * is the left side of the join, so an article without comments still gives one row, with no comment.
     */
    async listBySlug(slug: string, readerId: string | null): Promise<CommentRow[] | undefined> {
      const { rows } = await db.query<CommentRow | { id: null }>(
        `SELECT ${COLUMNS}
           FROM articles a LEFT JOIN (comments c JOIN users u ON u.id = c.author_id) ON c.article_id = a.id
          WHERE a.slug = $2
          ORDER BY c.id`,
        [readerId, slug],
      );
      if (rows.length === 0) return undefined;
      return rows.filter((row): row is CommentRow => row.id !== null);
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
