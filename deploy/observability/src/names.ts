/**
 * The repository's browse URL for the default branch. Runbook links are built from it so an alert links to
 * the runbook of the same commit line operators deploy from; change it here when the repository moves.
 */
export const REPOSITORY_BLOB_URL = 'https://github.com/conduit-platform/conduit/blob/main';

/** Path of the runbooks inside the repository; each alert has `<alert>.md` there. */
export const RUNBOOKS_PATH = 'docs/runbooks';

export const NAMESPACE = 'conduit';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export function runbookUrl(alert: string, baseUrl: string = REPOSITORY_BLOB_URL): string {
  return `${baseUrl}/${RUNBOOKS_PATH}/${alert}.md`;
}

export function assertStage(stage: string): asserts stage is Stage {
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new Error(`stage must be one of ${STAGES.join(', ')} (got "${stage}")`);
  }
}
