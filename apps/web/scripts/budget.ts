import { resolve } from 'node:path';
import { BUDGET, KIB, measureBundle } from './bundle-size.js';

const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const dist = resolve(process.argv[2] ?? 'dist');
  const sizes = await measureBundle(dist).catch((error: unknown) => {
    throw new Error(`cannot measure ${dist} (run "npm run build" first): ${(error as Error).message}`);
  });
  for (const { file, gzip } of sizes.files) {
    console.log(
      `${sizes.initialFiles.includes(file) ? 'initial' : 'lazy   '}  ${kib(gzip).padStart(10)}  ${file}`,
    );
  }
  const lines = [
    ['initial JS', sizes.initial, BUDGET.initial],
    ['total JS', sizes.total, BUDGET.total],
  ] as const;
  let over = false;
  for (const [name, size, limit] of lines) {
    const ok = size <= limit;
    over ||= !ok;
    console.log(`${ok ? 'ok  ' : 'OVER'}  ${name}: ${kib(size)} gzip (budget ${kib(limit)})`);
  }
  if (over) {
    console.error('budget: the JavaScript bundle is over budget');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(`budget: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
