import { setTimeout as sleep } from 'node:timers/promises';
import { FAIL_TIMEOUT_S } from './lib/balancer.js';
import { failed } from './lib/load.js';
import { type Budget, type DrillResult, ms, Report } from './lib/report.js';
import { describeWindow, failureBreakdown } from './lib/summary.js';
import { checkAcknowledgedWrites, underLoad } from './lib/topology.js';

const RATE = 200;
/** nginx may replay these on the other instance; a POST already sent may not be replayed, so it can fail. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Pod kill: SIGKILL one of two instances behind nginx under load, then start it again as the kubelet would.
 * Only requests in flight on the killed instance may fail, and only non-idempotent ones.
 */
export async function killDrill(budget: Budget): Promise<DrillResult> {
  const report = new Report('kill');
  const steadyMs = budget === 'ci' ? 5000 : 20_000;
  return underLoad({ rate: RATE }, async ({ stack, instances, balancer, load }) => {
    await sleep(steadyMs);
    const victim = instances[0]!;
    const killedAt = load.elapsed();
    await victim.stop('SIGKILL');
    // The signal is asynchronous: requests sent until the process is gone can still land on it.
    const diedAt = load.elapsed();
    // The kubelet restarts the container; the pod keeps its address.
    const restarted = await stack.startInstance({ PORT: String(victim.port) });
    const readyAfter = load.elapsed() - killedAt;
    // nginx retries a failed server after fail_timeout; wait for that and some traffic on it.
    await sleep(FAIL_TIMEOUT_S * 1000 + steadyMs);
    load.stop();
    const outcomes = await load.done;
    const servedByRestarted = await restartedServes(restarted.url);
    const sentToVictim = requestsSentTo(await balancer.errorLog(), victim.port);

    describeWindow(report, 'before the kill', outcomes, 0, killedAt);
    describeWindow(report, 'after the kill', outcomes, killedAt, Number.POSITIVE_INFINITY);
    const bad = outcomes.filter(failed);
    const lastFailureEnd = Math.max(killedAt, ...bad.map((o) => o.startedMs + o.latencyMs));
    report.line(
      `failed requests: ${bad.length} of ${outcomes.length}${bad.length ? ` (${failureBreakdown(outcomes)})` : ''}`,
    );
    report.line(
      `recovery: process gone ${ms(diedAt - killedAt)} after SIGKILL, last failure ${ms(lastFailureEnd - killedAt)} after it; restarted instance ready after ${ms(readyAfter)}`,
    );
    const idempotentFailures = bad.filter((o) => IDEMPOTENT.has(o.method));
    report.check(
      idempotentFailures.length === 0,
      'no idempotent request failed',
      failureBreakdown(idempotentFailures),
    );
    // In flight on the killed instance: sent before the process was gone, finished after the signal, and
    // nginx logged it as sent there and lost (while sending it or awaiting the answer).
    const notInFlight = bad.filter(
      (o) =>
        o.startedMs > diedAt ||
        o.startedMs + o.latencyMs < killedAt ||
        !takeOne(sentToVictim, `${o.method} ${o.path}`),
    );
    report.check(
      notInFlight.length === 0,
      'only requests in flight on the killed instance failed',
      `${notInFlight.length} others`,
    );
    await checkAcknowledgedWrites(report, stack, outcomes);
    report.check(servedByRestarted, 'the restarted instance serves again');
    return report.result();
  });
}

/** `METHOD path` of the requests nginx had (started to) send to the instance and lost there, counted. */
function requestsSentTo(errorLog: string, port: number): Map<string, number> {
  const lost = new Map<string, number>();
  const pattern = new RegExp(
    `while (?:reading response header from|sending request to) upstream.*request: "(\\S+) (\\S+) HTTP/1\\.1", upstream: "http://127\\.0\\.0\\.1:${port}/`,
  );
  for (const line of errorLog.split('\n')) {
    const match = line.includes('[error]') ? pattern.exec(line) : null;
    if (match) lost.set(`${match[1]} ${match[2]}`, (lost.get(`${match[1]} ${match[2]}`) ?? 0) + 1);
  }
  return lost;
}

function takeOne(counts: Map<string, number>, key: string): boolean {
  const n = counts.get(key) ?? 0;
  if (n > 0) counts.set(key, n - 1);
  return n > 0;
}

async function restartedServes(url: string): Promise<boolean> {
  const response = await fetch(`${url}/api/tags`).catch(() => undefined);
  return response?.status === 200;
}
