import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_SECTIONS, withSection } from './docs.js';

// `npm run docs -w @conduit/platform`: rewrites every generated section in place, from the repository root
// this file's place in it fixes.
const root = fileURLToPath(new URL('../../..', import.meta.url));
for (const { file, name, render } of GENERATED_SECTIONS) {
  const path = join(root, file);
  const before = await readFile(path, 'utf8');
  const after = withSection(before, file, name, render());
  if (after !== before) await writeFile(path, after);
  console.log(`${file}: ${name} ${after === before ? 'up to date' : 'rewritten'}`);
}
