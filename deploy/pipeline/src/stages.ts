import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The stages in promotion order: an image reaches a stage only after the one before it ran it. */
export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Our images; each has a `repository` and a `digest` or git-SHA `tag` per stage. */
export const TIERS = ['api', 'web', 'ops'] as const;
export type Tier = (typeof TIERS)[number];

export interface ImageSetting {
  readonly repository: string;
  readonly digest?: string;
  readonly tag?: string;
}
export type StageImages = Record<Tier, ImageSetting>;

/** The file the k8s workspace reads a stage's images from (relative to the repository root). */
export function stageFile(stage: Stage): string {
  return `deploy/k8s/src/stages/images/${stage}.json`;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const GIT_SHA = /^[0-9a-f]{40}$/;

export function parseStage(name: string): Stage {
  if ((STAGES as readonly string[]).includes(name)) return name as Stage;
  throw new Error(`unknown stage "${name}" (known: ${STAGES.join(', ')})`);
}

export function parseTier(name: string): Tier {
  if ((TIERS as readonly string[]).includes(name)) return name as Tier;
  throw new Error(`unknown tier "${name}" (known: ${TIERS.join(', ')})`);
}

/** The stage a target is promoted from; dev is fed by the release workflow, never promoted into. */
export function promotionSource(target: Stage): Stage {
  const index = STAGES.indexOf(target);
  const source = STAGES[index - 1];
  if (source === undefined) throw new Error(`stage "${target}" is released by release.yml, not promoted`);
  return source;
}

export function assertDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw new Error(`image digest "${digest}" must be sha256:<64 hex>`);
}

/** What pins a tier's image: its digest when known, else its git-SHA tag. */
export function pinOf(image: ImageSetting): string {
  return image.digest ?? image.tag ?? '';
}

/** `<repository>@<digest>` or `<repository>:<tag>`, as deploy/k8s renders it. */
export function imageRef(image: ImageSetting): string {
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}

/** Parses and checks a stage's images file; errors name the file and the field. */
export function parseImages(text: string, file = 'images file'): StageImages {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: expected an object of tiers`);
  const images = raw as Partial<Record<string, ImageSetting>>;
  for (const tier of TIERS) {
    const image = images[tier];
    if (!image || typeof image.repository !== 'string' || !image.repository.endsWith(`/conduit/${tier}`)) {
      throw new Error(`${file}: ${tier}.repository must be <registry>/conduit/${tier}`);
    }
    if (image.digest === undefined && image.tag === undefined) {
      throw new Error(`${file}: ${tier} needs a digest or a tag`);
    }
    if (image.digest !== undefined && !DIGEST.test(image.digest)) {
      throw new Error(`${file}: ${tier}.digest "${image.digest}" must be sha256:<64 hex>`);
    }
    if (image.tag !== undefined && !GIT_SHA.test(image.tag)) {
      throw new Error(`${file}: ${tier}.tag "${image.tag}" must be a full 40-hex git SHA (never latest)`);
    }
  }
  return images as StageImages;
}

export function formatImages(images: StageImages): string {
  const ordered = Object.fromEntries(TIERS.map((tier) => [tier, images[tier]]));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

export async function readStageImages(root: string, stage: Stage): Promise<StageImages> {
  const file = stageFile(stage);
  return parseImages(await readFile(join(root, file), 'utf8'), file);
}

export async function writeStageImages(root: string, stage: Stage, images: StageImages): Promise<void> {
  await writeFile(join(root, stageFile(stage)), formatImages(images));
}

/** Records what release.yml pushed: the digest (and the git SHA it was built from) of one tier. */
export function setPushed(images: StageImages, tier: Tier, digest: string, tag?: string): StageImages {
  assertDigest(digest);
  if (tag !== undefined && !GIT_SHA.test(tag)) throw new Error(`tag "${tag}" must be a full 40-hex git SHA`);
  const next: ImageSetting = { repository: images[tier].repository, digest, ...(tag ? { tag } : {}) };
  return { ...images, [tier]: next };
}

/**
 * The target's images after a promotion: every tier takes the source's digest (and tag) and keeps its own
 * repository (each stage pulls from its account's registry; promote.yml copies the image there first).
 * Only digests are promoted: a tag alone was never verified.
 */
export function promoteImages(source: StageImages, target: StageImages, sourceStage: Stage): StageImages {
  const next = { ...target };
  for (const tier of TIERS) {
    const from = source[tier];
    if (!from.digest) {
      throw new Error(
        `${sourceStage} ${tier} has no digest (only tag ${from.tag}); release it before promoting`,
      );
    }
    next[tier] = {
      repository: target[tier].repository,
      digest: from.digest,
      ...(from.tag ? { tag: from.tag } : {}),
    };
  }
  return next;
}

/**
 * The rule a promotion pull request must satisfy: each tier's image proposed for a stage has already run in
 * the stage before it. `sourceHistory` holds every pin (digest or tag) the source's tier has had on main.
 */
export function checkPromotion(
  target: Stage,
  tier: Tier,
  proposed: string,
  sourceHistory: readonly string[],
): void {
  const source = promotionSource(target);
  if (!sourceHistory.includes(proposed)) {
    throw new Error(
      `${target} cannot take ${tier} image ${proposed}: it never ran in ${source} (promote ${source} first; stages cannot be skipped)`,
    );
  }
}
