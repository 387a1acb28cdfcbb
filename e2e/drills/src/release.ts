import { setTimeout as sleep } from 'node:timers/promises';
import { failed } from './lib/load.js';
import { type Budget, type DrillResult, Report } from './lib/report.js';
import { DRAIN_DELAY_MS, type Launcher } from './lib/stack.js';
import { describeWindow, failureBreakdown } from './lib/summary.js';
import { address, checkAcknowledgedWrites, underLoad } from './lib/topology.js';

const RATE = 200;

export interface ReleaseOptions {
  /**
   * How an instance runs. The default runs the API as a process, with APP_VERSION in its environment;
   * e2e/images passes a launcher that starts the image built with that APP_VERSION instead.
   */
  readonly launch?: Launcher;
}

/**
 * Rolling release under load: two API instances behind nginx take a constant mixed load while each is
 * replaced by a new version with the Kubernetes termination sequence. Nothing may fail and no acknowledged
 * write may be missing.
 */
export async function releaseDrill(budget: Budget, { launch }: ReleaseOptions = {}): Promise<DrillResult> {
  const report = new Report('release');
  const steadyMs = budget === 'ci' ? 8000 : 30_000;
  // One connection per client request: removing an instance reloads nginx, whose old workers then close
  // their idle client keep-alive connections, and a request sent on one at that moment is reset. That is
  // the stand-in's own artifact: the ALB keeps client connections when targets change. Connections from
  // nginx to the instances stay keep-alive, as the ALB's are, and those are what the release must not break.
  return underLoad(
    { rate: RATE, env: { APP_VERSION: '1.0.0' }, keepAlive: false, launch },
    async ({ stack, instances, balancer, load }) => {
      await sleep(steadyMs);
      const releaseStart = load.elapsed();
      let serving = [...instances];
      const exitCodes: (number | null)[] = [];
      for (const old of instances) {
        // 1. The new pod is ready (startInstance waits for /readyz).
        const next = await stack.startInstance({ APP_VERSION: '2.0.0' });
        // 2. The old pod leaves the endpoints: the load balancer stops sending it new requests.
        serving = [...serving.filter((i) => i !== old), next];
        await balancer.setUpstreams(serving.map(address));
        // 3. preStop: the old pod keeps serving what is in flight while the load balancer catches up.
        await sleep(DRAIN_DELAY_MS);
        // 4. SIGTERM: readiness fails, the drain delay passes, in-flight requests finish, the process exits.
        exitCodes.push(await old.stop('SIGTERM'));
      }
      const releaseEnd = load.elapsed();
      await sleep(steadyMs);
      load.stop();
      const outcomes = await load.done;
      const versions = await Promise.all(
        [1, 2, 3, 4].map(() =>
          fetch(`${balancer.url}/version`).then((r) => r.json() as Promise<{ version: string }>),
        ),
      );

      describeWindow(report, 'before the release', outcomes, 0, releaseStart);
      describeWindow(
        report,
        `during the release (${((releaseEnd - releaseStart) / 1000).toFixed(1)} s)`,
        outcomes,
        releaseStart,
        releaseEnd,
      );
      describeWindow(report, 'after the release', outcomes, releaseEnd, Number.POSITIVE_INFINITY);
      const bad = outcomes.filter(failed);
      report.check(
        bad.length === 0,
        `no failed or dropped request out of ${outcomes.length}`,
        failureBreakdown(outcomes),
      );
      const unexpected = outcomes.filter((o) => o.status >= 400 && o.status < 500);
      report.check(unexpected.length === 0, 'no unexpected 4xx', `${unexpected.length}`);
      await checkAcknowledgedWrites(report, stack, outcomes);
      report.check(
        exitCodes.every((c) => c === 0),
        'old instances exited 0 after SIGTERM',
        exitCodes.join(', '),
      );
      report.check(
        versions.every((v) => v.version === '2.0.0'),
        'the new version serves every request afterwards',
        versions.map((v) => v.version).join(', '),
      );
      return report.result();
    },
  );
}
