import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiProcess } from '@conduit/testing';
import { between, failed, type Outcome, percentile } from './lib/load.js';
import { type Budget, type DrillResult, ms, Report } from './lib/report.js';
import { breakdown, describeWindow, failureBreakdown } from './lib/summary.js';
import { checkAcknowledgedWrites, underLoad } from './lib/topology.js';

const RATE = 200;
const OUTAGE_MS = 10_000;
const FAIL_FAST_MS = 1000;
const RECOVERY_BUDGET_MS = 5000;

/**
 * Database outage: PostgreSQL stops for 10 s under load. Requests must fail fast with 503 while it is
 * down, readiness must say so, and the same processes must serve again within 5 s of its return.
 */
export async function dbDrill(budget: Budget): Promise<DrillResult> {
  const report = new Report('db');
  const steadyMs = budget === 'ci' ? 5000 : 20_000;
  return underLoad({ rate: RATE }, async ({ stack, instances, load }) => {
    await sleep(steadyMs);
    const stopping = load.elapsed();
    await stack.postgres.suspend();
    const down = load.elapsed();
    const probes = await probeReadiness(instances, OUTAGE_MS);
    const resuming = load.elapsed();
    await stack.postgres.resume();
    const up = load.elapsed();
    await sleep(steadyMs);
    load.stop();
    const outcomes = await load.done;

    report.line(
      `PostgreSQL stopped in ${ms(down - stopping)}, down for ${ms(resuming - down)}, started again in ${ms(up - resuming)}`,
    );
    describeWindow(report, 'before the outage', outcomes, 0, stopping);
    const outage = describeWindow(report, 'while PostgreSQL was down', outcomes, down, resuming);
    describeWindow(report, 'after PostgreSQL was back', outcomes, up, Number.POSITIVE_INFINITY);

    const not503 = outage.filter((o) => o.status !== 503);
    report.check(
      not503.length === 0,
      'every request during the outage is answered 503',
      breakdown(not503, (o) => `${o.status || o.error}`),
    );
    const slow = outage.filter((o) => o.latencyMs > FAIL_FAST_MS);
    report.check(
      slow.length === 0,
      `every request during the outage is answered within ${ms(FAIL_FAST_MS)}`,
      `${slow.length} slower, max ${ms(Math.max(0, ...outage.map((o) => o.latencyMs)))}`,
    );
    report.line(`outage answers: p50 ${ms(percentile(outage, 50))}, p99 ${ms(percentile(outage, 99))}`);
    const notReady = probes.filter((p) => p === 503).length;
    report.check(
      notReady === probes.length && probes.length > 0,
      '/readyz answers 503 on every probe during the outage',
      `${notReady} of ${probes.length}`,
    );
    // Other than 503, nothing may fail at any time: no 500, no reset, no hang.
    const broken = outcomes.filter((o) => failed(o) && o.status !== 503);
    report.check(
      broken.length === 0,
      'no failure other than 503 during the whole drill',
      failureBreakdown(broken),
    );

    const recovered = recoveredAt(outcomes, up);
    report.line(
      `recovery: every request succeeds from ${ms(recovered - up)} after PostgreSQL accepted connections`,
    );
    report.check(
      recovered - up <= RECOVERY_BUDGET_MS,
      `the API serves again within ${ms(RECOVERY_BUDGET_MS)}`,
      ms(recovered - up),
    );
    report.check(
      instances.every((i) => i.child.exitCode === null && i.child.signalCode === null),
      'the same API processes serve again (no restart)',
    );
    await checkAcknowledgedWrites(report, stack, outcomes);
    return report.result();
  });
}

/** Polls every instance's /readyz during the outage; returns every status seen (0: no answer in 1 s). */
async function probeReadiness(instances: readonly ApiProcess[], durationMs: number): Promise<number[]> {
  const statuses: number[] = [];
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    for (const instance of instances) {
      statuses.push(
        await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(FAIL_FAST_MS) }).then(
          (r) => r.status,
          () => 0,
        ),
      );
    }
    await sleep(500);
  }
  return statuses;
}

/** The earliest time from which every request started after it succeeded. */
function recoveredAt(outcomes: readonly Outcome[], from: number): number {
  const after = between(outcomes, from, Number.POSITIVE_INFINITY);
  const lastFailure = after.filter(failed).at(-1);
  return lastFailure ? lastFailure.startedMs + lastFailure.latencyMs : from;
}
