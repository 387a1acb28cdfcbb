import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';
import { type Postgres15, seedConduit, startPostgres15 } from '../../test/postgres15.js';
import { dumpDatabase } from '../lib/pg-dump.js';

const BUCKET = 'conduit-dev-backups-123456789012';

describe('conduit backup run / list / verify / drill (real PostgreSQL 15, fake AWS API)', () => {
  let server: Postgres15;
  let sourceUrl: string;
  let dir: string;

  beforeAll(async () => {
    server = await startPostgres15();
    sourceUrl = await server.createDatabase('conduit');
    await seedConduit(sourceUrl);
    dir = await mkdtemp(join(tmpdir(), 'conduit-ops-backup-'));
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const h = harness();
    h.env = { DATABASE_URL: sourceUrl, CONDUIT_PG_BIN_DIR: server.binDir };
    return h;
  };

  const databases = async () => {
    const client = new pg.Client({ connectionString: server.url('postgres') });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1');
    await client.end();
    return rows.map((r) => r.datname);
  };

  it('backup run: names the snapshot by stage and time, uploads a verified dump and its manifest, prints metrics', async () => {
    const h = setup();
    // The server trusts loopback, so the password is never checked, but it must never be printed or stored.
    h.env = { ...h.env, DATABASE_URL: sourceUrl.replace('postgres@', 'postgres:hunter2-secret@') };
    const result = await h.run('backup', 'run', '-o', 'json');
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2-secret');
    expect(result.code).toBe(0);
    const json = result.json<Record<string, unknown>>();
    expect(json).toMatchObject({
      command: 'backup run',
      snapshotId: 'conduit-dev-20250310-033000',
      dump: { bucket: BUCKET, key: 'logical/dev/conduit-dev-20250310T033000Z.dump', tables: 4 },
      pruned: [],
      metrics: [
        'conduit_backup_success{stage="dev"} 1',
        'conduit_backup_last_success_timestamp_seconds{stage="dev"} 1741577400',
        expect.stringMatching(/^conduit_backup_size_bytes\{stage="dev"\} \d+$/),
      ],
    });
    expect(h.aws.mutations.map((c) => [c.op, ...c.args.slice(0, 2)])).toEqual([
      ['createDbSnapshot', 'conduit-dev', 'conduit-dev-20250310-033000'],
      ['putFile', BUCKET, 'logical/dev/conduit-dev-20250310T033000Z.dump'],
      ['putText', BUCKET, 'logical/dev/conduit-dev-20250310T033000Z.manifest.json'],
    ]);
    const stored = h.aws.objects.get(`${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump`)!;
    expect(stored.body.subarray(0, 5).toString()).toBe('PGDMP');
    const manifest = JSON.parse(
      h.aws.objects.get(`${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.manifest.json`)!.body.toString(),
    );
    expect(manifest.sha256).toBe(stored.metadata.sha256);
    expect(manifest.tables).toContainEqual({
      table: 'public.comments',
      rows: 600,
      checksum: expect.any(String),
    });
    expect(JSON.stringify(manifest)).not.toContain('postgres://');
    expect(JSON.stringify(manifest)).not.toContain('hunter2-secret');
  });

  it('backup run prunes snapshots and dumps past retention but always keeps the newest', async () => {
    const h = setup();
    h.now = new Date('2025-02-20T03:30:00Z');
    await h.run('backup', 'run', '-y');
    h.now = new Date('2025-02-22T03:30:00Z');
    await h.run('backup', 'run', '-y');
    h.now = new Date('2025-03-10T03:30:00Z');
    const result = await h.run('backup', 'run', '-o', 'json');
    expect(result.json().pruned).toEqual([
      'delete snapshot conduit-dev-20250220-033000',
      'delete snapshot conduit-dev-20250222-033000',
      `delete 2 dump(s) older than 14 days from s3://${BUCKET}`,
    ]);
    expect([...h.aws.objects.keys()]).toEqual([
      `${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump`,
      `${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.manifest.json`,
    ]);
    expect(h.aws.snapshots.map((s) => s.id)).toEqual(['conduit-dev-20250310-033000']);
  });

  it('backup --dry-run and backup run --dry-run change nothing', async () => {
    const h = setup();
    const create = await h.run('backup', '--dry-run');
    expect(create.stdout.split('\n')).toEqual([
      '[dry-run] would create RDS snapshot conduit-dev-20250310-033000 of conduit-dev',
      `[dry-run] would pg_dump (custom format) to s3://${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump`,
      'backup: dry run, nothing changed',
    ]);
    expect((await h.run('backup', 'run', '--dry-run')).code).toBe(0);
    expect(h.aws.mutations).toEqual([]);
  });

  it('backup list shows snapshots and dumps as JSON', async () => {
    const h = setup();
    await h.run('backup', '--no-snapshot');
    const json = (await h.run('backup', 'list', '-o', 'json')).json();
    expect(json).toEqual({
      stage: 'dev',
      bucket: BUCKET,
      snapshots: [],
      dumps: [
        {
          key: 'logical/dev/conduit-dev-20250310T033000Z.dump',
          size: expect.any(Number),
          lastModified: '2025-03-10T03:30:00.000Z',
        },
      ],
    });
  });

  it('backup verify passes a good dump and rejects a corrupted one with exit 5 and one line', async () => {
    const h = setup();
    await h.run('backup', '--no-snapshot');
    const ok = await h.run('backup', 'verify');
    expect([ok.code, ok.stdout]).toEqual([
      0,
      `s3://${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump: ok (sha256 matches, archive reads completely)`,
    ]);
    const key = `${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump`;
    const object = h.aws.objects.get(key)!;
    const body = Buffer.from(object.body);
    body[body.length - 100] = body[body.length - 100]! ^ 0x55;
    h.aws.objects.set(key, { ...object, body });
    const bad = await h.run('backup', 'verify', 'latest');
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(
      /^conduit: dump \S+ is corrupt: sha256 \w+… does not match the recorded \w+…$/,
    );
    expect(bad.stderr).toContain(
      `dump s3://${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.dump is corrupt`,
    );
    // Without its manifest, the sha256 stored as S3 object metadata still catches it.
    h.aws.objects.delete(`${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.manifest.json`);
    const orphan = await h.run('backup', 'verify', 'latest');
    expect([orphan.code, orphan.stderr]).toEqual([5, bad.stderr]);
  });

  it('backup drill restores the latest dump into a scratch database, matches every table, and drops it', async () => {
    const h = setup();
    await h.run('backup', '--no-snapshot');
    h.now = new Date('2025-03-16T04:00:00Z');
    const result = await h.run('backup', 'drill', '-o', 'json');
    expect(result.code).toBe(0);
    const json = result.json<{
      mismatches: unknown[];
      metrics: string[];
      scratchDatabase: string;
      tables: number;
    }>();
    expect(json.mismatches).toEqual([]);
    expect(json.tables).toBe(4);
    expect(json.metrics.slice(0, 3)).toEqual([
      'conduit_backup_drill_success{stage="dev"} 1',
      'conduit_backup_drill_tables{stage="dev"} 4',
      'conduit_backup_drill_mismatched_tables{stage="dev"} 0',
    ]);
    expect(await databases()).not.toContain(json.scratchDatabase);
  });

  it('backup drill exits 5 with a metric line when a table differs from the source at dump time', async () => {
    const h = setup();
    await h.run('backup', '--no-snapshot');
    const key = `${BUCKET}/logical/dev/conduit-dev-20250310T033000Z.manifest.json`;
    const manifest = JSON.parse(h.aws.objects.get(key)!.body.toString());
    // The source had one more comment than the dump holds: what a dump that lost rows looks like.
    manifest.tables = manifest.tables.map((t: { table: string; rows: number }) =>
      t.table === 'public.comments' ? { ...t, rows: t.rows + 1 } : t,
    );
    h.aws.objects.set(key, { ...h.aws.objects.get(key)!, body: Buffer.from(JSON.stringify(manifest)) });
    const result = await h.run('backup', 'drill');
    expect(result.code).toBe(5);
    expect(result.stdout).toContain('conduit_backup_drill_success{stage="dev"} 0');
    expect(result.stdout).toContain('conduit_backup_drill_mismatched_tables{stage="dev"} 1');
    expect(result.stderr).toBe('conduit: restore drill mismatch: public.comments rows 601→600');
  });

  it('backup drill refuses a truncated local dump before restoring anything', async () => {
    const h = setup();
    const file = join(dir, 'truncated.dump');
    const manifest = await dumpDatabase(sourceUrl, file, { binDir: server.binDir });
    await truncate(file, Math.floor(manifest.size / 2));
    const manifestFile = join(dir, 'truncated.manifest.json');
    // No sha256 in this manifest: the full read by pg_restore alone must catch the truncation.
    await writeFile(manifestFile, JSON.stringify({ ...manifest, sha256: undefined }));
    const before = await databases();
    const result = await h.run('backup', 'drill', '--file', file, '--manifest', manifestFile);
    expect(result.code).toBe(5);
    const [metric, error] = result.stderr.split('\n');
    expect(metric).toBe('conduit_backup_drill_success{stage="dev"} 0');
    expect(error).toMatch(/^conduit: dump \S+truncated\.dump is unreadable: pg_restore failed: /);
    expect(await databases()).toEqual(before);
  });

  it('backup run --pushgateway PUTs the metrics under job and stage (real HTTP on loopback)', async () => {
    const received: { method: string; url: string; body: string }[] = [];
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      const h = setup();
      const result = await h.run('backup', 'run', '--pushgateway', `http://127.0.0.1:${port}`);
      expect(result.code).toBe(0);
    } finally {
      gateway.close();
    }
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'PUT', url: '/metrics/job/conduit-backup/stage/dev' });
    expect(received[0]?.body).toMatch(/^conduit_backup_success\{stage="dev"\} 1\n/);
  });

  it('backup run reports failure as a metric and exit 1 when pg_dump cannot connect', async () => {
    const h = setup();
    h.env = { ...h.env, DATABASE_URL: server.url('no_such_db') };
    const result = await h.run('backup', 'run');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'conduit_backup_success{stage="dev"} 0',
      'conduit: database "no_such_db" does not exist',
    ]);
  });
});
