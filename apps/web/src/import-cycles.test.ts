import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;

/** Every module of src/ and the src/ modules it imports, static or dynamic (as the bundler follows them). */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name).replace(/\.js$/, ''))
      .map((base) => [`${base}.ts`, `${base}.tsx`].find((f) => files.has(f)))
      .filter((f): f is string => f !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** The first import cycle found, as the chain of files, or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

const sources = new Map(
  readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'))
    .map((f) => [join(SRC, f), readFileSync(join(SRC, f), 'utf8')] as const),
);

describe('module structure', () => {
  it('has no import cycle, dynamic imports included', () => {
    const cycle = findCycle(importGraph(sources));
    expect(cycle?.map((f) => relative(SRC, f)) ?? null).toBeNull();
  });

  it('finds a cycle that goes through a dynamic import', () => {
    const seeded = new Map(sources);
    const preload = join(SRC, 'app/preload.ts');
    seeded.set(preload, `${seeded.get(preload)}\nvoid import('../features/article/article-page.js');\n`);
    expect(findCycle(importGraph(seeded))?.map((f) => relative(SRC, f))).toContain('app/preload.ts');
  });
});
