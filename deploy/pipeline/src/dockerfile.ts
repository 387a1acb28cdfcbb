import { readFile } from 'node:fs/promises';
import { type Copy, DockerfileParser, type From, type Instruction } from 'dockerfile-ast';

/** One instruction of a stage, reduced to what the checks and the rehearsal need. */
export interface Step {
  readonly keyword: string;
  readonly line: number;
  /** The argument text without flags (`--mount=…`, `--from=…`), continuation lines joined. */
  readonly text: string;
  /** `COPY --from=<stage>`, when given. */
  readonly from?: string;
  /** Exec-form arguments (`["node", "x.js"]`) of ENTRYPOINT/CMD/HEALTHCHECK CMD, when that form is used. */
  readonly exec?: readonly string[];
}

export interface BuildStage {
  readonly name: string;
  /** The base: an image reference, or the name of an earlier stage. */
  readonly base: string;
  readonly image: {
    readonly name: string;
    readonly tag: string | null;
    readonly digest: string | null;
  } | null;
  readonly steps: readonly Step[];
}

export interface ParsedDockerfile {
  readonly stages: readonly BuildStage[];
  /** The stage the image is built from (the last one). */
  readonly final: BuildStage;
}

/** Exec-form arguments: ENTRYPOINT/CMD `["a", "b"]`, HEALTHCHECK `CMD ["a", "b"]`; undefined for shell form. */
function execForm(instruction: Instruction): string[] | undefined {
  const keyword = instruction.getKeyword();
  if (keyword !== 'ENTRYPOINT' && keyword !== 'CMD' && keyword !== 'HEALTHCHECK') return undefined;
  // Parsed here rather than with the library's JSON helpers, which drop spaces inside strings ("daemon off;").
  const text = (instruction.getArgumentsContent() ?? '').trim();
  const json = keyword === 'HEALTHCHECK' ? /^CMD\s+(\[.*\])$/s.exec(text)?.[1] : text;
  if (!json?.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function toStep(instruction: Instruction): Step {
  const keyword = instruction.getKeyword();
  const from = keyword === 'COPY' ? (instruction as Copy).getFromFlag()?.getValue() : undefined;
  const exec = execForm(instruction);
  return {
    keyword,
    line: instruction.getRange().start.line + 1,
    text: (instruction.getArgumentsContent() ?? '').replace(/\s+/g, ' ').trim(),
    ...(from ? { from } : {}),
    ...(exec ? { exec } : {}),
  };
}

/** Parses a Dockerfile into stages; throws when it has no FROM. */
export function parseDockerfile(content: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(content);
  const stages: BuildStage[] = [];
  let current: { name: string; base: string; image: BuildStage['image']; steps: Step[] } | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      const base = from.getImage() ?? '';
      const name: string = from.getBuildStage() ?? String(stages.length + (current ? 1 : 0));
      if (current) stages.push(current);
      const earlier = [...stages].some((stage) => stage.name === base);
      current = {
        name,
        base,
        image: earlier
          ? null
          : {
              name: [from.getRegistry(), from.getImageName()].filter(Boolean).join('/'),
              tag: from.getImageTag(),
              digest: from.getImageDigest(),
            },
        steps: [],
      };
    } else if (current) {
      current.steps.push(toStep(instruction));
    }
  }
  if (!current) throw new Error('Dockerfile has no FROM instruction');
  stages.push(current);
  return { stages, final: current };
}

export async function readDockerfile(path: string): Promise<ParsedDockerfile> {
  return parseDockerfile(await readFile(path, 'utf8'));
}
