import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipAsync } from '@gfx/zopfli';

/**
 * Writes `<file>.gz` next to every compressible file of the build, for nginx's `gzip_static`.
 * Zopfli output is plain gzip, a few percent smaller than `gzip -9`; it costs build time once instead
 * of CPU on every request.
 */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|webmanifest)$/;
const MIN_BYTES = 256;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: precompress <build directory>');
  if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new Error(`no build directory at ${dir}`);
  let count = 0;
  for await (const path of files(dir)) {
    if (!COMPRESSIBLE.test(path)) continue;
    const source = await readFile(path);
    if (source.length < MIN_BYTES) continue;
    const compressed = Buffer.from(await gzipAsync(source, { numiterations: 15 }));
    if (compressed.length >= source.length) continue;
    await writeFile(`${path}.gz`, compressed);
    count += 1;
  }
  console.log(`precompressed ${count} files in ${dir}`);
}

main().catch((error: unknown) => {
  console.error(`precompress: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
