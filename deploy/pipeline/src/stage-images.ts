import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ImageSetting,
  images as imageNames,
  isDigest,
  isGitSha,
  isStageName,
  promotionSource,
  STAGE_NAMES,
  type StageImages,
  type StageName,
  validateStageImages,
} from '@conduit/platform';

/** The file the k8s workspace reads a stage's images from (relative to the repository root). */
export function stageFile(stage: StageName): string {
  return `deploy/k8s/src/stages/images/${stage}.json`;
}

export function parseStage(name: string): StageName {
  if (isStageName(name)) return name;
  throw new Error(`unknown stage "${name}" (known: ${STAGE_NAMES.join(', ')})`);
}

/** One of the images the platform model builds (each workload's, and the ops CLI's). */
export function parseImage(name: string): string {
  if (imageNames().includes(name)) return name;
  throw new Error(`unknown image "${name}" (known: ${imageNames().join(', ')})`);
}

export function assertDigest(digest: string): void {
  if (!isDigest(digest)) throw new Error(`image digest "${digest}" must be sha256:<64 hex>`);
}

/** What pins an image: its digest when known, else its git-SHA tag. */
export function pinOf(image: ImageSetting): string {
  return image.digest ?? image.tag ?? '';
}

/**
 * Parses and checks a stage's images file: each of `required` (by default every image of the model; `present`:
 * those of the model the file has, for files older than an image) pinned; errors name the file and the field.
 */
export function parseImages(
  text: string,
  file = 'images file',
  required: readonly string[] | 'present' = imageNames(),
): StageImages {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const names =
    required === 'present' ? imageNames().filter((image) => Object.hasOwn(Object(raw), image)) : required;
  return validateStageImages(file, raw, names);
}

export function formatImages(images: StageImages): string {
  const ordered = Object.fromEntries(imageNames().map((image) => [image, images[image]]));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

export async function readStageImages(root: string, stage: StageName): Promise<StageImages> {
  const file = stageFile(stage);
  return parseImages(await readFile(join(root, file), 'utf8'), file);
}

export async function writeStageImages(root: string, stage: StageName, images: StageImages): Promise<void> {
  await writeFile(join(root, stageFile(stage)), formatImages(images));
}

function settingOf(images: StageImages, image: string): ImageSetting {
  const setting = images[image];
  if (!setting) throw new Error(`images.${image} is missing`);
  return setting;
}

/** Records what release.yml pushed: the digest (and the git SHA it was built from) of one image. */
export function setPushed(images: StageImages, image: string, digest: string, tag?: string): StageImages {
  assertDigest(digest);
  if (tag !== undefined && !isGitSha(tag)) throw new Error(`tag "${tag}" must be a full 40-hex git SHA`);
  const next: ImageSetting = {
    repository: settingOf(images, image).repository,
    digest,
    ...(tag ? { tag } : {}),
  };
  return { ...images, [image]: next };
}

/**
 * The target's images after a promotion: every image takes the source's digest (and tag) and keeps its own
 * repository (each stage pulls from its account's registry; promote.yml copies the image there first).
 * Only digests are promoted: a tag alone was never verified.
 */
export function promoteImages(source: StageImages, target: StageImages, sourceStage: StageName): StageImages {
  const next: Record<string, ImageSetting> = { ...target };
  for (const image of imageNames()) {
    const from = settingOf(source, image);
    if (!from.digest) {
      throw new Error(
        `${sourceStage} ${image} has no digest (only tag ${from.tag}); release it before promoting`,
      );
    }
    next[image] = {
      repository: settingOf(target, image).repository,
      digest: from.digest,
      ...(from.tag ? { tag: from.tag } : {}),
    };
  }
  return next;
}

/**
 * The rule a promotion pull request must satisfy: each image proposed for a stage has already run in the
 * stage before it. `sourceHistory` holds every pin (digest or tag) the source's image has had on main.
 */
export function checkPromotion(
  target: StageName,
  image: string,
  proposed: string,
  sourceHistory: readonly string[],
): void {
  const source = promotionSource(target);
  if (!sourceHistory.includes(proposed)) {
    throw new Error(
      `${target} cannot take ${image} image ${proposed}: it never ran in ${source} (promote ${source} first; stages cannot be skipped)`,
    );
  }
}
