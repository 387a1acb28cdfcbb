import type { AnalysisCadence } from '../settings.js';
import { type AnalysisMetric, type Verdict, verdict } from './metrics.js';

/** Runs one instant query against Prometheus' HTTP API and returns the vector's values. */
export async function queryVector(prometheusUrl: string, query: string): Promise<number[]> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { value: [number, string] }[] };
  };
  if (body.status !== 'success' || !body.data)
    throw new Error(`query failed: ${body.error ?? response.status}`);
  if (body.data.resultType !== 'vector') throw new Error(`expected a vector, got ${body.data.resultType}`);
  return body.data.result.map((r) => Number(r.value[1]));
}

export interface AnalysisOutcome {
  readonly phase: Verdict;
  readonly measurements: readonly {
    readonly atMs: number;
    readonly value: readonly number[];
    readonly verdict: Verdict;
  }[];
  /** Milliseconds from the start of the run to its verdict. */
  readonly elapsedMs: number;
}

/**
 * One metric of an AnalysisRun with Argo Rollouts' rules: measure every interval; Failed once more than
 * `failureLimit` measurements failed, Inconclusive once more than `inconclusiveLimit` were inconclusive,
 * Successful after `count` measurements otherwise.
 */
export async function runAnalysis(
  prometheusUrl: string,
  metric: AnalysisMetric,
  query: string,
  cadence: Pick<AnalysisCadence, 'failureLimit' | 'inconclusiveLimit' | 'stepCount'>,
  intervalMs: number,
): Promise<AnalysisOutcome> {
  const start = Date.now();
  const measurements: { atMs: number; value: number[]; verdict: Verdict }[] = [];
  let failed = 0;
  let inconclusive = 0;
  for (let i = 0; i < cadence.stepCount; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
    const value = await queryVector(prometheusUrl, query);
    const v = verdict(metric, value);
    measurements.push({ atMs: Date.now() - start, value, verdict: v });
    if (v === 'Failed') failed++;
    if (v === 'Inconclusive') inconclusive++;
    if (failed > cadence.failureLimit)
      return { phase: 'Failed', measurements, elapsedMs: Date.now() - start };
    if (inconclusive > cadence.inconclusiveLimit)
      return { phase: 'Inconclusive', measurements, elapsedMs: Date.now() - start };
  }
  return { phase: 'Successful', measurements, elapsedMs: Date.now() - start };
}
