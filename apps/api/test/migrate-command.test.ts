import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';

const run = promisify(execFile);
const apiDir = fileURLToPath(new URL('..', import.meta.url));

/** The migrate command as the PreSync Job runs it: production, and only DATABASE_URL from the Secret. */
function migrate(env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'src/migrate.ts'], {
    cwd: apiDir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
  });
}

describe('migrate command (the PreSync Job)', () => {
  it('migrates in production with the database URL alone: the Job gets no token secret', async () => {
    const { stdout } = await migrate({ DATABASE_URL: await createDatabase('migrate') });
    expect(stdout).toMatch(/applied \d+ migration\(s\)/);
  });

  it('takes the password from DATABASE_PASSWORD_FILE over the URL, as the Job mounts it', async () => {
    const url = new URL(await createDatabase('migrate_file'));
    const dir = await mkdtemp(join(tmpdir(), 'conduit-migrate-password-'));
    const file = join(dir, 'password');
    await writeFile(file, decodeURIComponent(url.password));
    // A stale password in the URL, as in the Secret's DATABASE_URL for a moment after a rotation.
    url.password = 'stale';
    try {
      const { stdout } = await migrate({ DATABASE_URL: url.toString(), DATABASE_PASSWORD_FILE: file });
      expect(stdout).toMatch(/applied \d+ migration\(s\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero, naming the setting, without a database URL', async () => {
    const error = await migrate({}).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(/DATABASE_URL/);
  });
});
