import type pg from 'pg';
import {
  followingSql,
  inTransaction,
  type ProfileRow,
  type Queryable,
  violatedUniqueIndex,
} from '../shared.js';
import { slugify, uniqueSlug } from './slug.js';

export interface ArticleRow extends ProfileRow {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: Date;
  updatedAt: Date;
  favorited: boolean;
  favoritesCount: number;
}

export interface ArticleFilter {
  tag?: string | undefined;
  author?: string | undefined;
  favorited?: string | undefined;
  /** Only authors this user follows (the feed). */
  followedBy?: string | undefined;
}

export interface ArticleInput {
  title: string;
  description: string;
  body: string;
  tagList: string[];
}

export interface ArticleOwner {
  id: string;
  authorId: string;
  title: string;
}

// $1 is always the reader (NULL when anonymous): favorited and following are from their point of view.
const columns = (withBody: boolean) => `
  a.slug, a.title, a.description,${withBody ? ' a.body,' : ''}
  ARRAY(SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
         WHERE at.article_id = a.id ORDER BY at.position, at.tag_id) AS "tagList",
  a.created_at AS "createdAt", a.updated_at AS "updatedAt",
  EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $1) AS favorited,
  (SELECT count(*) FROM favorites f WHERE f.article_id = a.id)::int AS "favoritesCount",
  u.username, u.bio, u.image, ${followingSql(1, 'a.author_id')} AS following`;

const SLUG_INDEX = 'articles_slug_key';
const SLUG_ATTEMPTS = 5;

/** Tag names as stored: trimmed, without blanks and duplicates, in the author's order. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

async function setTags(client: Queryable, articleId: string, tags: readonly string[]): Promise<void> {
  await client.query('DELETE FROM article_tags WHERE article_id = $1', [articleId]);
  if (tags.length === 0) return;
  // Upserted in sorted order: concurrent writers take the row locks in the same order (no deadlock).
  await client.query('INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [
    [...tags].sort(),
  ]);
  await client.query(
    `INSERT INTO article_tags (article_id, tag_id, position)
     SELECT $1, t.id, given.position
       FROM unnest($2::text[]) WITH ORDINALITY AS given (name, position)
       JOIN tags t ON t.name = given.name`,
    [articleId, tags],
  );
}

/** The WHERE clause of a filter; its values are appended to `values` as numbered parameters. */
function whereSql(filter: ArticleFilter, values: unknown[]): string {
  const where: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.author !== undefined) {
    where.push(
      `a.author_id = (SELECT id FROM users WHERE lower(username) = lower(${param(filter.author)}::text))`,
    );
  }
  if (filter.tag !== undefined) {
    where.push(`a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id
                          WHERE t.name = ${param(filter.tag)})`);
  }
  if (filter.favorited !== undefined) {
    where.push(`a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id
                          WHERE lower(fu.username) = lower(${param(filter.favorited)}::text))`);
  }
  if (filter.followedBy !== undefined) {
    where.push(
      `a.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ${param(filter.followedBy)})`,
    );
  }
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

export function articlesRepository(db: pg.Pool) {
  return {
    /** One page, newest first, and the number of articles matching the filter. */
    async list(
      filter: ArticleFilter,
      page: { limit: number; offset: number },
      readerId: string | null,
    ): Promise<{ rows: ArticleRow[]; count: number }> {
      const values: unknown[] = [readerId];
      const condition = whereSql(filter, values);
      values.push(page.limit, page.offset);
      const [limit, offset] = [`$${values.length - 1}`, `$${values.length}`];
      // The page's ids (and the total) are found on the narrow index first; the expensive columns are
      // then computed for those rows only.
      const { rows } = await db.query<ArticleRow & { total: string }>(
        `WITH page AS (
           SELECT a.id, a.created_at, count(*) OVER () AS total
             FROM articles a ${condition}
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT ${limit} OFFSET ${offset}
         )
         SELECT page.total, ${columns(false)}
           FROM page JOIN articles a ON a.id = page.id JOIN users u ON u.id = a.author_id
          ORDER BY page.created_at DESC, page.id DESC`,
        values,
      );
      if (rows.length > 0 || page.offset === 0) return { rows, count: Number(rows[0]?.total ?? 0) };
      // Past the last page there is no row to carry the total: count separately.
      const countValues: unknown[] = [];
      const counted = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM articles a ${whereSql(filter, countValues)}`,
        countValues,
      );
      return { rows, count: counted.rows[0]?.count ?? 0 };
    },

    async findBySlug(slug: string, readerId: string | null): Promise<ArticleRow | undefined> {
      const { rows } = await db.query<ArticleRow>(
        `SELECT ${columns(true)} FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = $2`,
        [readerId, slug],
      );
      return rows[0];
    },

    async findOwner(slug: string): Promise<ArticleOwner | undefined> {
      const { rows } = await db.query<ArticleOwner>(
        'SELECT id::text AS id, author_id::text AS "authorId", title FROM articles WHERE slug = $1',
        [slug],
      );
      return rows[0];
    },

    /** Inserts the article under a free slug derived from its title and returns that slug. */
    async create(authorId: string, input: ArticleInput): Promise<string> {
      return inTransaction(db, async (client) => {
        const base = slugify(input.title);
        for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
          const slug = attempt === 0 ? base : uniqueSlug(base);
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO articles (slug, title, description, body, author_id) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (slug) DO NOTHING RETURNING id::text AS id`,
            [slug, input.title, input.description, input.body, authorId],
          );
          if (rows[0]) {
            await setTags(client, rows[0].id, input.tagList);
            return slug;
          }
        }
        throw new Error(`no free slug for "${base}" after ${SLUG_ATTEMPTS} attempts`);
      });
    },

    /** Applies the given changes (a new title also gets a new slug) and returns the article's slug. */
    async update(article: ArticleOwner, changes: Partial<ArticleInput>): Promise<string> {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await inTransaction(db, async (client) => {
            const values: unknown[] = [article.id];
            const sets = ['updated_at = now()'];
            const set = (column: string, value: unknown) => {
              values.push(value);
              sets.push(`${column} = $${values.length}`);
            };
            if (changes.title !== undefined && changes.title !== article.title) {
              const base = slugify(changes.title);
              set('slug', attempt === 0 ? base : uniqueSlug(base));
              set('title', changes.title);
            }
            if (changes.description !== undefined) set('description', changes.description);
            if (changes.body !== undefined) set('body', changes.body);
            const { rows } = await client.query<{ slug: string }>(
              `UPDATE articles SET ${sets.join(', ')} WHERE id = $1 RETURNING slug`,
              values,
            );
            if (changes.tagList !== undefined) await setTags(client, article.id, changes.tagList);
            return rows[0]!.slug;
          });
        } catch (error) {
          if (violatedUniqueIndex(error) !== SLUG_INDEX || attempt + 1 >= SLUG_ATTEMPTS) throw error;
        }
      }
    },

    /** How many of `tags` do not exist yet (what an article with them would add to the tag list). */
    async countNewTags(tags: readonly string[]): Promise<number> {
      if (tags.length === 0) return 0;
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM unnest($1::text[]) AS given (name)
          WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.name = given.name)`,
        [tags],
      );
      return rows[0]?.count ?? 0;
    },

    async remove(articleId: string): Promise<void> {
      await db.query('DELETE FROM articles WHERE id = $1', [articleId]);
    },

    async favorite(userId: string, articleId: string): Promise<void> {
      await db.query('INSERT INTO favorites (user_id, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        userId,
        articleId,
      ]);
    },

    async unfavorite(userId: string, articleId: string): Promise<void> {
      await db.query('DELETE FROM favorites WHERE user_id = $1 AND article_id = $2', [userId, articleId]);
    },
  };
}

export type ArticlesRepository = ReturnType<typeof articlesRepository>;
