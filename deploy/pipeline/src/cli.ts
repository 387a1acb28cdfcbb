import { stageImageHistory, stageImagesAt } from './git-history.js';
import {
  checkPromotion,
  imageRef,
  parseStage,
  parseTier,
  pinOf,
  promoteImages,
  promotionSource,
  readStageImages,
  STAGES,
  setPushed,
  TIERS,
  writeStageImages,
} from './stages.js';

const USAGE =
  'usage: stage-image get <stage> <tier> | source <target> | set <stage> <tier> <digest> [git-sha] | promote <target> | check-promotion <base-ref>';

/** The release and promotion workflows' only way to read and change the images a stage runs. */
export async function main(
  argv: readonly string[],
  root: string,
  out: (line: string) => void,
): Promise<void> {
  const [command, first, second, third, fourth] = argv;
  switch (command) {
    case 'get': {
      // The full reference (`repo@sha256:…`), which is also what the rendered pods carry.
      const images = await readStageImages(root, parseStage(first ?? ''));
      out(imageRef(images[parseTier(second ?? '')]));
      return;
    }
    case 'source':
      out(promotionSource(parseStage(first ?? '')));
      return;
    case 'set': {
      if (!third) throw new Error(USAGE);
      const stage = parseStage(first ?? '');
      const tier = parseTier(second ?? '');
      const images = setPushed(await readStageImages(root, stage), tier, third, fourth);
      await writeStageImages(root, stage, images);
      out(`${stage} ${tier} -> ${imageRef(images[tier])}`);
      return;
    }
    case 'promote': {
      const target = parseStage(first ?? '');
      const source = promotionSource(target);
      const images = promoteImages(
        await readStageImages(root, source),
        await readStageImages(root, target),
        source,
      );
      await writeStageImages(root, target, images);
      for (const tier of TIERS) out(`${target} ${tier} -> ${imageRef(images[tier])} (from ${source})`);
      return;
    }
    case 'check-promotion': {
      if (!first) throw new Error(USAGE);
      for (const target of STAGES.slice(1)) {
        const proposed = await readStageImages(root, target);
        const base = await stageImagesAt(root, first, target);
        const source = promotionSource(target);
        for (const tier of TIERS) {
          const pin = pinOf(proposed[tier]);
          if (pin === pinOf(base[tier])) continue;
          checkPromotion(target, tier, pin, await stageImageHistory(root, first, source, tier));
          out(`${target} ${tier} -> ${pin}: ran in ${source} before`);
        }
      }
      return;
    }
    default:
      throw new Error(USAGE);
  }
}
