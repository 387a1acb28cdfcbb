import { between, failed, type Outcome, percentile } from './load.js';
import { ms, type Report } from './report.js';

/** One report line for a window of the load: count, failures and latency percentiles. */
export function describeWindow(
  report: Report,
  label: string,
  outcomes: readonly Outcome[],
  fromMs: number,
  toMs: number,
): Outcome[] {
  const window = between(outcomes, fromMs, toMs);
  const end = Number.isFinite(toMs) ? toMs : Math.max(fromMs, ...window.map((o) => o.startedMs));
  const seconds = (end - fromMs) / 1000;
  report.line(
    `${label}: ${window.length} requests in ${seconds.toFixed(1)} s (${Math.round(window.length / seconds)} req/s), ` +
      `${window.filter(failed).length} failed, p50 ${ms(percentile(window, 50))}, p99 ${ms(percentile(window, 99))}`,
  );
  return window;
}

/** Outcomes counted by a key, as `<key>: count, …`. */
export function breakdown(outcomes: readonly Outcome[], key: (o: Outcome) => string): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
}

/** Failed requests grouped as `<method> <route> <status or error>: count`. */
export function failureBreakdown(outcomes: readonly Outcome[]): string {
  return breakdown(outcomes.filter(failed), (o) => `${o.method} ${o.route} ${o.status || o.error}`);
}
