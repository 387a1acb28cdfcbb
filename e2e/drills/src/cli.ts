// `npm run drill:<name>` (full budget) or `npm run drill:<name> -- --ci` (the reduced CI budget); add
// `--neighbour` to run it beside a CPU-burning neighbour process (one busy process, see drills.ts).
import { drills, runDrill } from './drills.js';
import type { Budget } from './lib/report.js';

const [name, ...flags] = process.argv.slice(2);
if (!name || !drills[name]) {
  console.error(`unknown drill "${name ?? ''}"; one of: ${Object.keys(drills).join(', ')}`);
  process.exit(2);
}
const budget: Budget = flags.includes('--ci') ? 'ci' : 'full';
const neighbour = flags.includes('--neighbour');
const started = Date.now();
try {
  const result = await runDrill(name, budget, { neighbour });
  for (const line of result.lines) console.log(line);
  console.log(
    `drill ${result.name} (${budget} budget${neighbour ? ', noisy neighbour' : ''}) ${result.passed ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.exit(result.passed ? 0 : 1);
} catch (error) {
  console.error(`drill ${name} could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
