import { Agent, request as httpRequest } from 'node:http';

/** One request of the load: what to send and, for writes, how to read the id the server acknowledged. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Groups requests in reports (e.g. `list`, `create-article`), independent of ids in the path. */
  readonly route: string;
  readonly token?: string;
  readonly body?: unknown;
  /** For writes: the id of what was created, read from a 2xx body; checked against the database later. */
  readonly acknowledge?: (body: unknown) => string;
}

export interface Outcome {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  /** Milliseconds since the load started. */
  readonly startedMs: number;
  readonly latencyMs: number;
  /** HTTP status, or 0 when the request failed without a response (reset, refused, timeout). */
  readonly status: number;
  readonly error?: string;
  readonly acknowledged?: string;
}

export interface LoadOptions {
  readonly baseUrl: string;
  /** Requests started per second, independent of how fast responses come (open loop). */
  readonly rate: number;
  readonly durationMs: number;
  /** The i-th request of the run. */
  readonly next: (i: number) => RequestSpec;
  /** A request without a response after this long counts as failed (a hang is a failure). */
  readonly timeoutMs?: number;
  /** Reuse connections (default), or open one per request. */
  readonly keepAlive?: boolean;
}

export interface Load {
  /** Resolves with every outcome once the duration is over (or `stop()`) and all requests settled. */
  readonly done: Promise<Outcome[]>;
  /** Outcomes so far. */
  readonly outcomes: readonly Outcome[];
  /** Milliseconds since the load started. */
  elapsed(): number;
  stop(): void;
}

/**
 * An open-loop load generator: requests start on a fixed schedule whether or not earlier ones answered, so a
 * stalled server shows up as latency and errors instead of silently lowering the rate (coordinated
 * omission).
 */
export function startLoad(options: LoadOptions): Load {
  const agent = new Agent({ keepAlive: options.keepAlive ?? true, maxSockets: 256 });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let stopped = false;
  let sent = 0;

  const send = (spec: RequestSpec): Promise<void> =>
    new Promise<void>((resolve) => {
      const startedMs = elapsed();
      const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
      const finish = (status: number, extra: { error?: string; acknowledged?: string } = {}) => {
        outcomes.push({
          route: spec.route,
          method: spec.method,
          path: spec.path,
          startedMs,
          latencyMs: elapsed() - startedMs,
          status,
          ...extra,
        });
        resolve();
      };
      const req = httpRequest(
        `${options.baseUrl}${spec.path}`,
        {
          method: spec.method,
          agent,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json' } : {}),
            ...(spec.token ? { authorization: `Token ${spec.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => finish(0, { error: error.message }));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (!spec.acknowledge || status < 200 || status >= 300) return finish(status);
            try {
              finish(status, {
                acknowledged: spec.acknowledge(JSON.parse(Buffer.concat(chunks).toString())),
              });
            } catch (error) {
              finish(status, { error: `unreadable acknowledgement: ${(error as Error).message}` });
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => finish(0, { error: error.code ?? error.message }));
      req.end(payload);
    });

  const done = new Promise<Outcome[]>((resolve) => {
    const tick = () => {
      const due = Math.min(
        Math.floor((elapsed() * options.rate) / 1000),
        Math.floor((options.durationMs * options.rate) / 1000),
      );
      while (!stopped && sent < due) {
        const p = send(options.next(sent++));
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (!stopped && elapsed() < options.durationMs) {
        setTimeout(tick, 5);
        return;
      }
      void Promise.all(pending).then(() => {
        agent.destroy();
        resolve(outcomes.sort((a, b) => a.startedMs - b.startedMs));
      });
    };
    tick();
  });

  return {
    done,
    outcomes,
    elapsed,
    stop: () => {
      stopped = true;
    },
  };
}

/** Latency percentile (nearest rank) of the outcomes, in milliseconds. */
export function percentile(outcomes: readonly Outcome[], p: number): number {
  if (outcomes.length === 0) return Number.NaN;
  const sorted = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A request failed when it got no response or a 5xx; 4xx answers are the API's own verdicts. */
export function failed(outcome: Outcome): boolean {
  return outcome.status === 0 || outcome.status >= 500;
}

export function between(outcomes: readonly Outcome[], fromMs: number, toMs: number): Outcome[] {
  return outcomes.filter((o) => o.startedMs >= fromMs && o.startedMs < toMs);
}
