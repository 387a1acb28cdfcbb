import type pg from 'pg';

export function tagsRepository(db: pg.Pool) {
  return {
    /**
     * The `max` most used tags (ties go to the older tag), in code-point order (the same everywhere, whatever
     * the collation). The home page shows them: bounded, however many tags there are.
     */
    async list(max: number): Promise<string[]> {
      const { rows } = await db.query<{ name: string }>(
        `SELECT t.name
           FROM (SELECT tag_id, count(*) AS uses FROM article_tags GROUP BY tag_id
                  ORDER BY uses DESC, tag_id LIMIT $1) top
           JOIN tags t ON t.id = top.tag_id
          ORDER BY t.name COLLATE "C"`,
        [max],
      );
      return rows.map((row) => row.name);
    },
  };
}
