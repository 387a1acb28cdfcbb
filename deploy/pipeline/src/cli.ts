import { stageVersionAt, stageVersionHistory } from './git-history.js';
import {
  checkPromotion,
  getStageVersion,
  parseStage,
  promotionSource,
  STAGES,
  setStageVersion,
} from './stages.js';

const USAGE =
  'usage: stage-image get <stage> | source <target> | set <stage> <version> | promote <target> | check-promotion <base-ref>';

/** The release and promotion workflows' only way to read and change what a stage runs. */
export async function main(
  argv: readonly string[],
  root: string,
  out: (line: string) => void,
): Promise<void> {
  const [command, first, second] = argv;
  switch (command) {
    case 'get':
      out(await getStageVersion(root, parseStage(first ?? '')));
      return;
    case 'source':
      out(promotionSource(parseStage(first ?? '')));
      return;
    case 'set': {
      if (!second) throw new Error(USAGE);
      await setStageVersion(root, parseStage(first ?? ''), second);
      out(`${first} -> ${second}`);
      return;
    }
    case 'promote': {
      const target = parseStage(first ?? '');
      const source = promotionSource(target);
      const version = await getStageVersion(root, source);
      await setStageVersion(root, target, version);
      out(`${target} -> ${version} (from ${source})`);
      return;
    }
    case 'check-promotion': {
      if (!first) throw new Error(USAGE);
      for (const target of STAGES.slice(1)) {
        const proposed = await getStageVersion(root, target);
        if (proposed === (await stageVersionAt(root, first, target))) continue;
        checkPromotion(target, proposed, await stageVersionHistory(root, first, promotionSource(target)));
        out(`${target} -> ${proposed}: ran in ${promotionSource(target)} before`);
      }
      return;
    }
    default:
      throw new Error(USAGE);
  }
}
