// Cluster mode for the benchmark: `cluster.ts <script>` runs one copy of <script> per core on one port,
// without any change to the server. node:cluster workers share the primary's listening socket, and on Linux
// the primary hands new connections to the workers in turn.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const script = process.argv[2];
if (!script) {
  console.error('usage: node --import tsx bench/cluster.ts <script>');
  process.exit(2);
}
const workers = availableParallelism();
// Bounds the shutdown of a worker that ignores SIGTERM, so the benchmark never hangs on it.
const STOP_TIMEOUT_MS = 15_000;

cluster.setupPrimary({
  exec: resolve(script),
  // The production bundle runs exactly as `node dist/server.js` does; only TypeScript needs the loader.
  execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [],
});

let stopping = false;
let running = 0;
cluster.on('exit', (worker, code, signal) => {
  running -= 1;
  if (!stopping) {
    // A dead worker would silently halve the capacity being measured: fail the run instead.
    console.error(`cluster: worker ${worker.process.pid} exited (${signal ?? code}) during the benchmark`);
    process.exit(1);
  }
  if (running === 0) process.exit(0);
});
process.on('SIGTERM', () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  setTimeout(() => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
  }, STOP_TIMEOUT_MS).unref();
});

for (let i = 0; i < workers; i += 1) {
  cluster.fork();
  running += 1;
}
