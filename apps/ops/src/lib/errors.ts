/**
 * Exit codes of the `conduit` CLI. Scripts and CronJobs branch on them, so they are part of the interface
 * and documented in docs/operations.md.
 */
export const ExitCode = {
  Ok: 0,
  /** The operation ran and failed (API error, pg_dump failed, timeout). */
  Failure: 1,
  /** Bad usage or configuration: unknown stage, workload, flag, or a missing required option. */
  Usage: 2,
  /** No AWS credentials or no Kubernetes context for the stage. */
  Credentials: 3,
  /** A change was refused: prod without --yes, confirmation declined, or a guard (live database) tripped. */
  Refused: 4,
  /** A backup failed verification: corrupt or truncated dump, checksum or row-count mismatch. */
  Verification: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI prints as one line and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.Failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.Usage);
export const credentialsError = (message: string) => new CliError(message, ExitCode.Credentials);
export const refusedError = (message: string) => new CliError(message, ExitCode.Refused);
export const verificationError = (message: string) => new CliError(message, ExitCode.Verification);

/** First line of any error's message: the CLI promises one-line errors. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim();
}
