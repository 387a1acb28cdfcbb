/** How long a drill runs: `full` for `npm run drill:<name>`, `ci` for the reduced CI budget. */
export type Budget = 'full' | 'ci';

export interface DrillResult {
  readonly name: string;
  readonly passed: boolean;
  /** Every pass condition that did not hold, one line each. */
  readonly failures: readonly string[];
  /** The measurements, one line each, for the terminal and the issue notes. */
  readonly lines: readonly string[];
}

/** Collects a drill's measurements and checks; a drill fails when any check failed. */
export class Report {
  private readonly measured: string[] = [];
  private readonly failed: string[] = [];

  constructor(private readonly name: string) {}

  line(text: string): void {
    this.measured.push(text);
  }

  /** Records a pass condition; `detail` says what was seen when it does not hold. */
  check(holds: boolean, condition: string, detail = ''): void {
    this.measured.push(`${holds ? 'PASS' : 'FAIL'} ${condition}${detail ? ` (${detail})` : ''}`);
    if (!holds) this.failed.push(`${condition}${detail ? `: ${detail}` : ''}`);
  }

  result(): DrillResult {
    return { name: this.name, passed: this.failed.length === 0, failures: this.failed, lines: this.measured };
  }
}

export const ms = (value: number) => `${Math.round(value)} ms`;
