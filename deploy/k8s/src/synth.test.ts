import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DIST_DIR, distFiles } from './synth.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(DIST_DIR, join(e.parentPath, e.name)))
    .sort();
}

describe('rendered manifests (dist/)', () => {
  const files = distFiles();

  it('are deterministic: two syntheses give identical bytes', () => {
    expect([...distFiles()]).toEqual([...files]);
  });

  it('match the committed dist/ (run `npm run synth -w @conduit/k8s` after a change)', async () => {
    expect(await listFiles(DIST_DIR)).toEqual([...files.keys()].sort());
    for (const [path, content] of files) {
      expect(await readFile(join(DIST_DIR, path), 'utf8'), `dist/${path} is stale`).toBe(content);
    }
  });

  it('parse back as YAML with one object per document', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('manifests.yaml')) continue;
      const docs = parseAllDocuments(content);
      expect(docs.every((d) => d.errors.length === 0)).toBe(true);
      for (const d of docs) expect((d.toJS() as { kind?: string }).kind, path).toBeTruthy();
    }
  });
});
