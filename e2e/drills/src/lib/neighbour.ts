import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';

/**
 * A noisy neighbour: busy-looping processes at the drill's own priority, one per core by default, the way
 * another tenant's batch job shares a node. Each process stops by itself after `maxMs`, so a drill that
 * dies without calling `stop` cannot leave the machine loaded.
 */
export interface Neighbour {
  readonly processes: number;
  readonly pids: readonly number[];
  /** How many of its processes are still running. */
  running(): number;
  stop(): Promise<void>;
}

export function startNeighbour(options: { processes?: number; maxMs: number }): Neighbour {
  const processes = options.processes ?? availableParallelism();
  const burn = `const end = Date.now() + ${Math.round(options.maxMs)}; let x = 0; while (Date.now() < end) { for (let i = 0; i < 1e6; i++) x += i; }`;
  const children: ChildProcess[] = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['-e', burn], { stdio: 'ignore' }),
  );
  const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  return {
    processes,
    pids: children.map((child) => child.pid ?? -1),
    running: () => children.filter(alive).length,
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (!alive(child)) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      );
    },
  };
}
