import { ecrRepositoryName } from './names.js';

/**
 * Where one image comes from in a stage: `<account>.dkr.ecr.<region>.amazonaws.com/conduit/<image>` and
 * either the digest CI pushed (what release.yml and promote.yml write) or an immutable git-SHA tag.
 */
export interface ImageSetting {
  readonly repository: string;
  /** `sha256:<64 hex>`; wins over `tag` when both are set. */
  readonly digest?: string;
  /** The full git SHA the image was built from (ECR refuses to overwrite it). */
  readonly tag?: string;
}

/** A stage's images (`deploy/k8s/src/stages/images/<stage>.json`), keyed by image name. */
export type StageImages = Readonly<Record<string, ImageSetting>>;

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** A full git SHA: the only tag CI pushes, and immutable in ECR. */
const GIT_SHA = /^[0-9a-f]{40}$/;
const REPOSITORY = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function isGitSha(value: string): boolean {
  return GIT_SHA.test(value);
}

/**
 * Checks that `images` pins each of `required` (image names) by digest or git SHA in its own repository;
 * throws `<where>: images.<image>.<field> <rule>`.
 */
export function validateStageImages(
  where: string,
  images: unknown,
  required: readonly string[],
): StageImages {
  if (typeof images !== 'object' || images === null) throw new Error(`${where}: images must be an object`);
  const all = images as Record<string, Partial<ImageSetting> | undefined>;
  for (const name of required) {
    const fail = (part: string, rule: string): never => {
      throw new Error(`${where}: images.${name}${part} ${rule}`);
    };
    const image = all[name];
    if (!image) return fail('', 'is missing');
    const repository = ecrRepositoryName(name);
    if (
      typeof image.repository !== 'string' ||
      !REPOSITORY.test(image.repository) ||
      !image.repository.endsWith(`/${repository}`)
    ) {
      fail('.repository', `(${image.repository}) must be <registry>/${repository}, without tag or digest`);
    }
    if (image.digest === undefined && image.tag === undefined) fail('', 'needs a digest or a tag');
    if (image.digest !== undefined && !DIGEST.test(image.digest)) {
      fail('.digest', `(${image.digest}) must be sha256:<64 hex>`);
    }
    if (image.tag === 'latest') fail('.tag', 'must be an immutable git SHA, never "latest"');
    if (image.tag !== undefined && !GIT_SHA.test(image.tag)) {
      fail('.tag', `(${image.tag}) must be a full 40-hex git SHA (immutable in ECR)`);
    }
  }
  return all as StageImages;
}

/** `<repository>@sha256:<digest>` or `<repository>:<git sha>`: what the pods pull. */
export function imageRef(image: ImageSetting): string {
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`;
}
