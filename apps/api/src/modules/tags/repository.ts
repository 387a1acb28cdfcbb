import type pg from 'pg';

export function tagsRepository(db: pg.Pool) {
  return {
    /** Tags in use by at least one article, in code-point order (the same everywhere, whatever the collation). */
    async list(): Promise<string[]> {
      const { rows } = await db.query<{ name: string }>(
        `SELECT t.name FROM tags t
          WHERE EXISTS (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id)
          ORDER BY t.name COLLATE "C"`,
      );
      return rows.map((row) => row.name);
    },
  };
}
