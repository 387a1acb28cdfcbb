import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const KIB = 1024;

/**
 * Issue #18's budgets, gzip: the lightest RealWorld frontends load about 41 KiB; the official Angular one
 * 87 KiB up front, a React one 116 KiB.
 */
export const BUDGET = { initial: 30 * KIB, total: 60 * KIB } as const;

export interface BundleSizes {
  /** gzip bytes of the JavaScript index.html loads up front (entry script + modulepreloads). */
  initial: number;
  /** gzip bytes of every JavaScript file in the build. */
  total: number;
  initialFiles: string[];
  files: { file: string; gzip: number }[];
}

/** The gzip size a client receives: the precompressed `.gz` nginx serves, or gzip -9 when there is none. */
async function gzipSize(path: string): Promise<number> {
  const precompressed = await stat(`${path}.gz`).catch(() => null);
  if (precompressed) return precompressed.size;
  return gzipSync(await readFile(path), { level: 9 }).length;
}

/** The scripts index.html makes the browser fetch before the home page can run. */
export function initialScripts(html: string): string[] {
  const urls = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g)) urls.add(match[1]!);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g))
    urls.add(match[1]!);
  for (const match of html.matchAll(/<link\b[^>]*\bhref="([^"]+\.js)"[^>]*\brel="modulepreload"/g))
    urls.add(match[1]!);
  return [...urls];
}

export async function measureBundle(dist: string): Promise<BundleSizes> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const initialFiles = initialScripts(html).map((url) => url.replace(/^\//, ''));
  if (initialFiles.length === 0) throw new Error(`${dist}/index.html loads no script`);
  const files: { file: string; gzip: number }[] = [];
  for (const name of await readdir(join(dist, 'assets'))) {
    if (name.endsWith('.js'))
      files.push({ file: `assets/${name}`, gzip: await gzipSize(join(dist, 'assets', name)) });
  }
  const sizeOf = (file: string) => {
    const entry = files.find((item) => item.file === file);
    if (!entry) throw new Error(`index.html loads ${file}, which is not in ${dist}/assets`);
    return entry.gzip;
  };
  return {
    initial: initialFiles.reduce((sum, file) => sum + sizeOf(file), 0),
    total: files.reduce((sum, item) => sum + item.gzip, 0),
    initialFiles,
    files: files.sort((a, b) => b.gzip - a.gzip),
  };
}
