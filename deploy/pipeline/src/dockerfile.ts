import { readFile } from 'node:fs/promises';
import { type Copy, DockerfileParser, type From, type Instruction } from 'dockerfile-ast';

/** One instruction of a stage, reduced to what the checks need. */
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
  /** The base: an image reference, or the name of an earlier stage (build arguments at their defaults). */
  readonly base: string;
  /** The build argument that names the base (`FROM ${NODE_BASE}`), when the base can be substituted. */
  readonly baseArg?: string;
  /** The image pulled for the stage; null for an earlier stage or `scratch` (the empty base, never pulled). */
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

/** `${NAME}` or `$NAME` as the whole base of a FROM: a base a build argument can replace. */
const BASE_ARG = /^\$(?:\{(\w+)\}|(\w+))$/;

/**
 * Parses a Dockerfile into stages; throws when it has no FROM. A base given by a global build argument
 * (declared before the first FROM) is read at the argument's default, which is what a build without
 * `--build-arg` uses, so the digest and stage rules apply to it.
 */
export function parseDockerfile(content: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(content);
  const stages: BuildStage[] = [];
  const globalArgs = new Map<string, string>();
  let current: {
    name: string;
    base: string;
    baseArg?: string;
    image: BuildStage['image'];
    steps: Step[];
  } | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    if (!current && instruction.getKeyword() === 'ARG') {
      // One `NAME=default` per ARG line, as our Dockerfiles write them.
      const arg = /^(\w+)=(\S+)$/.exec((instruction.getArgumentsContent() ?? '').trim());
      if (arg) globalArgs.set(arg[1]!, arg[2]!);
    } else if (instruction.getKeyword() === 'FROM') {
      let from = instruction as From;
      const baseArg = BASE_ARG.exec(from.getImage() ?? '')
        ?.slice(1)
        .find(Boolean);
      const resolved = baseArg === undefined ? undefined : globalArgs.get(baseArg);
      if (baseArg !== undefined && resolved === undefined) {
        throw new Error(`line ${from.getRange().start.line + 1}: FROM \${${baseArg}} has no default value`);
      }
      if (resolved !== undefined) {
        from = DockerfileParser.parse(`FROM ${resolved}`).getInstructions()[0] as From;
      }
      const base = from.getImage() ?? '';
      const name: string = (instruction as From).getBuildStage() ?? String(stages.length + (current ? 1 : 0));
      if (current) stages.push(current);
      const earlier = [...stages].some((stage) => stage.name === base);
      current = {
        name,
        base,
        ...(baseArg === undefined ? {} : { baseArg }),
        image:
          earlier || base === 'scratch'
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
