import { fileURLToPath } from 'node:url';
import { main } from './cli.js';

// Run as `npm run stage-image -w @conduit/pipeline -- <command>`; the repository root is fixed by this
// file's place in it, so the command works from any directory.
const root = fileURLToPath(new URL('../../..', import.meta.url));
main(process.argv.slice(2), root, (line) => console.log(line)).catch((error: Error) => {
  console.error(`stage-image: ${error.message}`);
  process.exit(1);
});
