import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../test/database.js';
import { runMigrations } from './migrate.js';
import { seed } from './seed.js';

describe('seed', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createDatabase('seed') });
    await runMigrations(pool);
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('loads the requested data set with its relations', async () => {
    const users = await seed(pool, {
      users: 5,
      articles: 30,
      comments: 90,
      followsPerUser: 2,
      favoritesPerUser: 4,
    });
    expect(users).toHaveLength(5);
    const { rows } = await pool.query(`SELECT
      (SELECT count(*)::int FROM users) AS users,
      (SELECT count(*)::int FROM articles) AS articles,
      (SELECT count(*)::int FROM comments) AS comments,
      (SELECT count(DISTINCT article_id)::int FROM article_tags) AS tagged,
      (SELECT count(*)::int FROM favorites) > 0 AS favorites,
      (SELECT count(*)::int FROM follows) > 0 AS follows,
      (SELECT count(DISTINCT slug)::int FROM articles) AS slugs`);
    expect(rows[0]).toEqual({
      users: 5,
      articles: 30,
      comments: 90,
      tagged: 30,
      favorites: true,
      follows: true,
      slugs: 30,
    });
  });
});
