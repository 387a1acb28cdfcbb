import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from './postgres.js';

describe('startPostgres', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('serves a real PostgreSQL 17 and isolates databases', async () => {
    const first = await server.createDatabase('a');
    const second = await server.createDatabase('a');
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(170000);
      expect(Number(rows[0]?.v)).toBeLessThan(180000);
    } finally {
      await client.end();
    }
  });
});
