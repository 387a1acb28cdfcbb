import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_SECTIONS, k8sStageTable, namesTable, table, withSection } from './docs.js';

const root = join(import.meta.dirname, '../../..');

describe('generated documentation', () => {
  // The documents are prose, not source: this compares each generated table with its committed copy.
  it.each(GENERATED_SECTIONS)(
    '$file: the $name table is what the model generates (npm run docs -w @conduit/platform)',
    async ({ file, name, render }) => {
      const text = await readFile(join(root, file), 'utf8');
      expect(
        withSection(text, file, name, render()),
        `${file} is stale: run npm run docs -w @conduit/platform`,
      ).toBe(text);
    },
  );

  it('notices a stale table and names missing markers', () => {
    const fresh = withSection(
      '# doc\n<!-- generated from packages/platform (npm run docs -w @conduit/platform): names -->\n<!-- end of generated names -->\n',
      'doc.md',
      'names',
      namesTable(),
    );
    const stale = fresh.replace('`conduit-<stage>`', '`conduit-<stage>-old`');
    expect(withSection(stale, 'doc.md', 'names', namesTable())).not.toBe(stale);
    expect(withSection(fresh, 'doc.md', 'names', namesTable())).toBe(fresh);
    expect(() => withSection('# doc\n', 'doc.md', 'names', '')).toThrow(
      'doc.md: missing the markers of the generated section "names"',
    );
  });

  it('lays tables out as the formatter does: columns padded to the widest cell, at least 3 wide', () => {
    expect(table(['a', 'bb'], [['xxxx', 'y']])).toBe('| a    | bb  |\n| ---- | --- |\n| xxxx | y   |');
  });

  it('states what the model says: each workload size, the ALB everywhere', () => {
    const k8s = k8sStageTable();
    expect(k8s).toContain('| `api` replicas (HPA), requests/limits');
    expect(k8s).toContain('2-6 (CPU 70%), 500m/1 CPU, 384Mi/768Mi');
    expect(k8s).toMatch(
      /\| router, database, secret store +\| alb, rds, external-secrets +\| alb, rds, external-secrets/,
    );
  });
});
