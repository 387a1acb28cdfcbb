import { readFileSync } from 'node:fs';
import type { StageImages, StageName } from '@conduit/platform';

/**
 * A stage's images, from `images/<stage>.json`. CI owns those files (deploy/pipeline `stage-image`):
 * release.yml writes what it pushed to dev, promote.yml copies verified digests to staging and prod.
 * validateRenderSettings checks the content.
 */
export function stageImages(stage: StageName): StageImages {
  const file = new URL(`./images/${stage}.json`, import.meta.url);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageImages;
  } catch (error) {
    throw new Error(`stages/images/${stage}.json: ${error instanceof Error ? error.message : String(error)}`);
  }
}
