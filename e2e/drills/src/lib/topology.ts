import type { ApiProcess } from '@conduit/testing';
import { type Balancer, startBalancer } from './balancer.js';
import { type Load, type Outcome, startLoad } from './load.js';
import type { Report } from './report.js';
import { type Launcher, missingWrites, prepareTraffic, type Stack, startStack } from './stack.js';

export interface Topology {
  readonly stack: Stack;
  /** The two API instances behind the load balancer, in upstream order. */
  readonly instances: readonly ApiProcess[];
  readonly balancer: Balancer;
  /** The constant mixed load through the balancer, already running. */
  readonly load: Load;
}

export const address = (instance: ApiProcess) => `127.0.0.1:${instance.port}`;

export interface LoadShape {
  /** Requests per second through nginx. */
  readonly rate: number;
  /** Environment of the two API instances. */
  readonly env?: Record<string, string>;
  /** Client keep-alive to nginx (default true). */
  readonly keepAlive?: boolean;
  /** How an API instance runs (default: a process, as `npm start` runs it). */
  readonly launch?: Launcher;
}

/**
 * The drills' common topology: PostgreSQL, two API instances behind nginx, and an open-loop mixed load
 * through nginx. `drill` runs while the load does; everything stops afterwards, also on failure.
 */
export async function underLoad<T>(
  { rate, env = {}, keepAlive, launch }: LoadShape,
  drill: (topology: Topology) => Promise<T>,
): Promise<T> {
  const stack = await startStack(launch);
  try {
    const instances = [await stack.startInstance(env), await stack.startInstance(env)];
    const balancer = await startBalancer(instances.map(address));
    try {
      const traffic = await prepareTraffic(balancer.url);
      const load = startLoad({
        baseUrl: balancer.url,
        rate,
        keepAlive,
        durationMs: 3_600_000,
        next: traffic.mixed,
      });
      try {
        return await drill({ stack, instances, balancer, load });
      } finally {
        load.stop();
        await load.done;
      }
    } finally {
      await balancer.stop();
    }
  } finally {
    await stack.stop();
  }
}

/** The pass condition every drill with writes shares: what the API acknowledged is in the database. */
export async function checkAcknowledgedWrites(
  report: Report,
  stack: Stack,
  outcomes: readonly Outcome[],
): Promise<void> {
  const acknowledged = outcomes.flatMap((o) => (o.acknowledged ? [o.acknowledged] : []));
  const missing = await missingWrites(stack.databaseUrl, acknowledged);
  report.check(
    missing.length === 0,
    `every one of ${acknowledged.length} acknowledged writes is in the database`,
    missing.slice(0, 5).join(', '),
  );
}
