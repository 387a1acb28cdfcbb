import { images as imageNames, imageRef, promotionSource, STAGE_NAMES, workloadsIn } from '@conduit/platform';
import { stageImageHistory, stageImagesAt } from './git-history.js';
import { containerCli, previousAssets } from './previous-assets.js';
import {
  checkPromotion,
  parseImage,
  parseStage,
  pinOf,
  promoteImages,
  readStageImages,
  setPushed,
  writeStageImages,
} from './stage-images.js';

const USAGE =
  'usage: stage-image get <stage> <image> | source <target> | set <stage> <image> <digest> [git-sha] | promote <target> | check-promotion <base-ref> | matrix | workloads <stage> | refs <stage> | previous-assets <image> <repository> <out-dir>';

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
      out(imageRef(images[parseImage(second ?? '')]!));
      return;
    }
    case 'source':
      out(promotionSource(parseStage(first ?? '')));
      return;
    case 'set': {
      if (!third) throw new Error(USAGE);
      const stage = parseStage(first ?? '');
      const image = parseImage(second ?? '');
      const images = setPushed(await readStageImages(root, stage), image, third, fourth);
      await writeStageImages(root, stage, images);
      out(`${stage} ${image} -> ${imageRef(images[image]!)}`);
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
      for (const image of imageNames())
        out(`${target} ${image} -> ${imageRef(images[image]!)} (from ${source})`);
      return;
    }
    case 'check-promotion': {
      if (!first) throw new Error(USAGE);
      for (const target of STAGE_NAMES.slice(1)) {
        const proposed = await readStageImages(root, target);
        const base = await stageImagesAt(root, first, target);
        const source = promotionSource(target);
        for (const image of imageNames()) {
          const pin = pinOf(proposed[image]!);
          if (base[image] && pin === pinOf(base[image])) continue;
          checkPromotion(target, image, pin, await stageImageHistory(root, first, source, image));
          out(`${target} ${image} -> ${pin}: ran in ${source} before`);
        }
      }
      return;
    }
    case 'matrix':
      // The release workflow's build matrix: one leg per image of the platform model.
      out(JSON.stringify({ image: imageNames() }));
      return;
    case 'refs': {
      // What each image of the stage must run as: {"<image>": "<repository>@<digest>" (or ":<sha>")}.
      const images = await readStageImages(root, parseStage(first ?? ''));
      out(JSON.stringify(Object.fromEntries(imageNames().map((name) => [name, imageRef(images[name]!)]))));
      return;
    }
    case 'workloads':
      // What the workflows wait for after a deploy: a canary Rollout per HTTP service, a Deployment per worker.
      out(
        JSON.stringify(
          workloadsIn(parseStage(first ?? '')).map(({ workload: w }) => ({
            name: w.name,
            kind: w.kind,
            image: w.image,
          })),
        ),
      );
      return;
    case 'previous-assets': {
      // The hashed assets of the images every stage runs, for the new image to keep serving (the web
      // Dockerfile's `previous-assets` context). CONTAINER_CLI: docker (default) or podman.
      if (!third) throw new Error(USAGE);
      const cli = containerCli(process.env.CONTAINER_CLI ?? 'docker');
      for (const line of await previousAssets(root, parseImage(first ?? ''), second ?? '', third, cli))
        out(line);
      return;
    }
    default:
      throw new Error(USAGE);
  }
}
