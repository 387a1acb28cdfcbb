import type { BuildStage, ParsedDockerfile, Step } from './dockerfile.js';

export interface DockerfileRules {
  /** `node`: the runtime needs production node_modules; `static`: nothing from npm may reach the image. */
  readonly runtime: 'node' | 'static';
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|API_?KEY|ACCESS_KEY|CREDENTIAL|DATABASE_URL/i;
const SHELLS = new Set([
  'sh',
  'bash',
  'ash',
  'dash',
  'zsh',
  '/bin/sh',
  '/bin/bash',
  '/bin/ash',
  '/usr/bin/env',
]);
const REQUIRED_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.version',
];
const NPM_INSTALL = /\bnpm\s+(?:ci|clean-install|install|i)\b[^&;|]*/g;

function where(stage: BuildStage, step?: Step): string {
  return step ? `stage "${stage.name}" line ${step.line}` : `stage "${stage.name}"`;
}

/** Names an ENV or ARG instruction declares (`A=1 B=2`, `NAME`, `NAME=default`). */
export function declaredNames(step: Step): string[] {
  return step.text
    .split(/\s+/)
    .filter((token) => token.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*(=|$)/.test(token))
    .map((token) => token.split('=')[0]!);
}

/**
 * The release rules for our images, as a list of problems (empty when the Dockerfile is fine). Each problem
 * names the stage and line so a failing test points at the instruction to change.
 */
export function checkDockerfile(dockerfile: ParsedDockerfile, rules: DockerfileRules): string[] {
  const problems: string[] = [];
  const { stages, final } = dockerfile;
  const names = new Set(stages.map((stage) => stage.name));

  for (const stage of stages) {
    if (stage.image && !(stage.image.digest && DIGEST.test(stage.image.digest))) {
      problems.push(`${where(stage)}: base image ${stage.base} is not pinned by digest (@sha256:<64 hex>)`);
    }
    for (const step of stage.steps) {
      if (step.keyword === 'ADD' && /(?:^|\s)(?:https?|git|ftp):\/\/|(?:^|\s)git@/.test(step.text)) {
        problems.push(`${where(stage, step)}: ADD from a URL (download in a RUN with a checksum, or COPY)`);
      }
      if (step.keyword === 'ENV' || step.keyword === 'ARG') {
        for (const name of declaredNames(step)) {
          if (SECRET_NAME.test(name)) {
            problems.push(
              `${where(stage, step)}: ${step.keyword} ${name} looks like a secret (it would stay in the image)`,
            );
          }
        }
      }
      if (step.keyword === 'COPY' && step.from && !names.has(step.from)) {
        problems.push(`${where(stage, step)}: COPY --from=${step.from} names no stage of this Dockerfile`);
      }
    }
  }

  const last = <K extends string>(keyword: K) =>
    final.steps.filter((step) => step.keyword === keyword).at(-1);

  const user = last('USER');
  const uid = user ? /^(\d+)(?::(\d+))?$/.exec(user.text) : null;
  if (!user) problems.push(`${where(final)}: no USER (the image would run as root)`);
  else if (!uid)
    problems.push(
      `${where(final, user)}: USER ${user.text} must be numeric (uid[:gid]) so runAsNonRoot can verify it`,
    );
  else if (uid[1] === '0') problems.push(`${where(final, user)}: USER ${user.text} is root`);

  const healthcheck = last('HEALTHCHECK');
  if (!healthcheck || healthcheck.text === 'NONE') problems.push(`${where(final)}: no HEALTHCHECK`);
  else if (!healthcheck.exec)
    problems.push(`${where(final, healthcheck)}: HEALTHCHECK must use the exec form (no shell in the image)`);

  if (!last('STOPSIGNAL')) problems.push(`${where(final)}: no STOPSIGNAL`);

  const entrypoint = last('ENTRYPOINT');
  if (!entrypoint) problems.push(`${where(final)}: no ENTRYPOINT`);
  else if (!entrypoint.exec) {
    problems.push(
      `${where(final, entrypoint)}: ENTRYPOINT must use the exec form so signals reach the process`,
    );
  } else if (SHELLS.has(entrypoint.exec[0] ?? '')) {
    problems.push(
      `${where(final, entrypoint)}: ENTRYPOINT starts ${entrypoint.exec[0]}, a shell between the runtime and the app`,
    );
  }

  const labels = final.steps
    .filter((step) => step.keyword === 'LABEL')
    .map((step) => step.text)
    .join(' ');
  for (const label of REQUIRED_LABELS) {
    if (!labels.includes(`${label}=`)) problems.push(`${where(final)}: missing OCI label ${label}`);
  }

  for (const step of final.steps) {
    if (step.keyword === 'RUN' && NPM_INSTALL.test(step.text)) {
      problems.push(
        `${where(final, step)}: installs packages in the runtime stage (install in a build stage)`,
      );
    }
    NPM_INSTALL.lastIndex = 0;
  }

  const copiedModules = final.steps.filter(
    (step) => step.keyword === 'COPY' && /node_modules/.test(step.text),
  );
  if (rules.runtime === 'static' && copiedModules.length > 0) {
    problems.push(`${where(final, copiedModules[0])}: a static image must not contain node_modules`);
  }
  for (const copy of copiedModules) {
    const source = stages.find((stage) => stage.name === copy.from);
    if (!source) {
      problems.push(`${where(final, copy)}: node_modules must come from a build stage`);
      continue;
    }
    const installs = source.steps
      .filter((step) => step.keyword === 'RUN')
      .flatMap((step) => step.text.match(NPM_INSTALL) ?? []);
    if (installs.length === 0) {
      problems.push(`${where(final, copy)}: stage "${source.name}" installs no dependencies with npm`);
    }
    for (const install of installs) {
      if (!/--omit[= ]dev\b|--production\b/.test(install)) {
        problems.push(
          `${where(source)}: "${install.trim()}" installs dev dependencies that the runtime copies`,
        );
      }
    }
  }
  return problems;
}
