import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';
import { type Postgres15, seedConduit, startPostgres15 } from '../../test/postgres15.js';
import { type DumpManifest, dumpDatabase, statsOf } from '../lib/pg-dump.js';

describe('conduit restore of a logical dump (real PostgreSQL 15)', () => {
  let server: Postgres15;
  let liveUrl: string;
  let dir: string;
  let dumpFile: string;
  let manifestFile: string;
  let manifest: DumpManifest;

  beforeAll(async () => {
    server = await startPostgres15();
    liveUrl = await server.createDatabase('conduit');
    await seedConduit(liveUrl, 50);
    dir = await mkdtemp(join(tmpdir(), 'conduit-ops-restore-'));
    dumpFile = join(dir, 'conduit.dump');
    manifestFile = join(dir, 'conduit.manifest.json');
    manifest = await dumpDatabase(liveUrl, dumpFile, { binDir: server.binDir });
    await writeFile(manifestFile, JSON.stringify(manifest));
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const h = harness();
    h.env = { DATABASE_URL: liveUrl, CONDUIT_PG_BIN_DIR: server.binDir };
    return h;
  };

  const query = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('restores a local dump into a new database and checks it against the manifest', async () => {
    const h = setup();
    h.answer = true;
    const result = await h.run(
      'restore',
      '--file',
      dumpFile,
      '--manifest',
      manifestFile,
      '--target-db',
      'conduit_copy',
      '-o',
      'json',
    );
    expect(h.questions).toEqual(['restore into new database conduit_copy in dev? [y/N] ']);
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      kind: 'logical',
      targetDatabase: 'conduit_copy',
      verified: true,
      retiredDatabase: null,
    });
    expect(await statsOf(server.url('conduit_copy'))).toEqual(manifest.tables);
  });

  it('refuses to restore over the live database without --into-live (exit 4, nothing created)', async () => {
    const h = setup();
    const result = await h.run('restore', '--file', dumpFile, '--target-db', 'conduit', '--yes');
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      'conduit: refusing to restore over the live database "conduit"; pick a new --target-db or pass --into-live',
    );
  });

  it('--into-live restores beside the live database and swaps names, keeping the old one', async () => {
    const h = setup();
    await query(liveUrl, "INSERT INTO audit.events VALUES (42, 'written after the dump')");
    const result = await h.run(
      'restore',
      '--file',
      dumpFile,
      '--manifest',
      manifestFile,
      '--target-db',
      'conduit',
      '--into-live',
      '--yes',
      '-o',
      'json',
    );
    expect(result.code).toBe(0);
    const { retiredDatabase } = result.json<{ retiredDatabase: string }>();
    expect(retiredDatabase).toBe('conduit_before_20250310t033000z');
    expect(await query(liveUrl, 'SELECT count(*)::int AS n FROM audit.events')).toEqual([{ n: 0 }]);
    expect(await query(server.url(retiredDatabase), 'SELECT count(*)::int AS n FROM audit.events')).toEqual([
      { n: 1 },
    ]);
  });

  it('never restores a corrupted dump: exit 5, one line, no database created', async () => {
    const h = setup();
    const bad = join(dir, 'corrupt.dump');
    const bytes = await readFile(dumpFile);
    bytes[bytes.length - 50] = bytes[bytes.length - 50]! ^ 0xff;
    await writeFile(bad, bytes);
    const result = await h.run(
      'restore',
      '--file',
      bad,
      '--manifest',
      manifestFile,
      '--target-db',
      'conduit_bad',
      '--yes',
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^conduit: dump \S+corrupt\.dump is corrupt: sha256 /);
    expect(
      await query(server.url('postgres'), "SELECT datname FROM pg_database WHERE datname = 'conduit_bad'"),
    ).toEqual([]);
  });

  it('prod restores need --yes; --dry-run restores nothing', async () => {
    const h = setup();
    const prod = await h.run(
      'restore',
      '--file',
      dumpFile,
      '--target-db',
      'conduit_prod_copy',
      '--stage',
      'prod',
    );
    expect([prod.code, prod.stderr]).toEqual([
      4,
      'conduit: refusing to restore into new database conduit_prod_copy in prod without --yes',
    ]);
    const dry = await h.run('restore', '--file', dumpFile, '--target-db', 'conduit_dry', '--dry-run');
    expect(dry.stdout).toBe(
      `[dry-run] would verify ${dumpFile} and restore it into new database conduit_dry`,
    );
    expect(
      await query(
        server.url('postgres'),
        "SELECT datname FROM pg_database WHERE datname LIKE 'conduit_%r%y'",
      ),
    ).toEqual([]);
  });
});

describe('conduit restore of an RDS snapshot or point in time (fake AWS API)', () => {
  it('restores a snapshot into a new instance, never the live one', async () => {
    const h = harness();
    const ok = await h.run(
      'restore',
      '--snapshot',
      'conduit-dev-20250309-033000',
      '--new-instance',
      'conduit-dev-restore',
      '--yes',
    );
    expect(ok.code).toBe(0);
    expect(h.aws.mutations).toEqual([
      { op: 'restoreDbFromSnapshot', args: ['conduit-dev-20250309-033000', 'conduit-dev-restore'] },
    ]);
    const live = await h.run('restore', '--snapshot', 'x', '--new-instance', 'conduit-dev', '--yes');
    expect([live.code, live.stderr]).toEqual([
      4,
      'conduit: --new-instance must differ from the live instance conduit-dev; restores never replace it in place',
    ]);
  });

  it('restores to a point in time or the latest restorable time', async () => {
    const h = harness();
    await h.run(
      'restore',
      '--point-in-time',
      '2025-03-10T02:15:00Z',
      '--new-instance',
      'conduit-dev-pitr',
      '-y',
    );
    await h.run('restore', '--point-in-time', 'latest', '--new-instance', 'conduit-dev-pitr2', '-y');
    expect(h.aws.mutations).toEqual([
      {
        op: 'restoreDbToPointInTime',
        args: ['conduit-dev', 'conduit-dev-pitr', new Date('2025-03-10T02:15:00Z')],
      },
      { op: 'restoreDbToPointInTime', args: ['conduit-dev', 'conduit-dev-pitr2', null] },
    ]);
  });

  it('rejects bad combinations as usage errors and refuses prod without --yes', async () => {
    const h = harness();
    const cases: [string[], number, string][] = [
      [
        ['restore'],
        2,
        'restore needs exactly one source: --dump <key|latest>, --file <path>, --snapshot <id> or --point-in-time <time|latest>',
      ],
      [
        ['restore', '--snapshot', 's', '--dump', 'latest'],
        2,
        'restore needs exactly one source: --dump <key|latest>, --file <path>, --snapshot <id> or --point-in-time <time|latest>',
      ],
      [
        ['restore', '--snapshot', 's'],
        2,
        '--new-instance <id> is required to restore a snapshot or a point in time',
      ],
      [
        ['restore', '--point-in-time', 'yesterday', '--new-instance', 'n'],
        2,
        '--point-in-time must be an ISO 8601 time or "latest", got "yesterday"',
      ],
      [
        ['restore', '--snapshot', 's', '--new-instance', 'n', '--stage', 'prod'],
        4,
        'refusing to restore into new RDS instance n in prod without --yes',
      ],
    ];
    for (const [argv, code, message] of cases) {
      const result = await h.run(...argv);
      expect([result.code, result.stderr]).toEqual([code, `conduit: ${message}`]);
    }
    const dry = await h.run(
      'restore',
      '--snapshot',
      's',
      '--new-instance',
      'n',
      '--stage',
      'prod',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(h.aws.mutations).toEqual([]);
  });
});
