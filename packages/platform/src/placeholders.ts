import { ALERT_EMAIL, GITHUB_REPOSITORY, STAGE_NAMES, STAGES, type Stage, type StageName } from './stages.js';

/**
 * The values a user of this template must replace before anything is deployed: the AWS account ids, the
 * domains, the GitHub repository and the alert e-mail addresses. All of them are set in the model (this
 * package) and nowhere else; deploy/aws refuses `cdk deploy` and release.yml refuses to release while one is
 * left, each naming the setting and its value.
 */
export interface Placeholder {
  /** Where in the model the value is set, e.g. `STAGES.prod.account`. */
  readonly setting: string;
  readonly value: string;
  /** The model file that sets it (from the repository root). */
  readonly file: string;
}

/** The part of the model that holds the values a user must change. */
export interface PlaceholderModel {
  readonly stages: Readonly<Record<StageName, Pick<Stage, 'account' | 'edge'>>>;
  readonly repository: { readonly owner: string; readonly name: string };
  readonly alertEmail: { readonly to: string; readonly from: string };
}

export const MODEL: PlaceholderModel = {
  stages: STAGES,
  repository: GITHUB_REPOSITORY,
  alertEmail: ALERT_EMAIL,
};

const STAGES_FILE = 'packages/platform/src/stages.ts';
/** The repository this template is published as; a copy deploys from its own. */
export const TEMPLATE_REPOSITORY = 'conduit-platform/conduit';

/** AWS documentation's example ids: one digit twelve times (111111111111, 123456789012 is not used here). */
const isExampleAccount = (account: string) => /^(\d)\1{11}$/.test(account);
/** RFC 2606 reserves these names for documentation; nothing real is ever served from them. */
const isReservedDomain = (name: string) =>
  /(^|\.)example\.(com|net|org)$|\.(example|test|invalid|localhost)$/.test(name.toLowerCase());

/** Every setting of `model` that still holds a placeholder, with the file to change it in. */
export function placeholders(model: PlaceholderModel = MODEL): Placeholder[] {
  const found: Placeholder[] = [];
  for (const name of STAGE_NAMES) {
    const s = model.stages[name];
    if (isExampleAccount(s.account)) {
      found.push({ setting: `STAGES.${name}.account`, value: s.account, file: STAGES_FILE });
    }
    if (isReservedDomain(s.edge.domainName)) {
      found.push({ setting: `STAGES.${name}.edge.domainName`, value: s.edge.domainName, file: STAGES_FILE });
    }
  }
  const slug = `${model.repository.owner}/${model.repository.name}`;
  if (slug === TEMPLATE_REPOSITORY)
    found.push({ setting: 'GITHUB_REPOSITORY', value: slug, file: STAGES_FILE });
  for (const [key, address] of Object.entries(model.alertEmail)) {
    if (isReservedDomain(address.split('@')[1] ?? '')) {
      found.push({ setting: `ALERT_EMAIL.${key}`, value: address, file: STAGES_FILE });
    }
  }
  return found;
}

/** One line per placeholder: what a refusing deploy or release prints. */
export function placeholderLines(found: readonly Placeholder[]): string[] {
  return found.map((p) => `placeholder ${p.setting} = ${p.value}: set a real value in ${p.file}`);
}

/** Set to `1` only where placeholders are expected: synth in tests and CI, never a deploy. */
export const ALLOW_PLACEHOLDERS_ENV = 'CONDUIT_ALLOW_PLACEHOLDERS';

/**
 * Throws (one line per placeholder) unless the model is free of them or `env` allows them explicitly; what
 * `cdk deploy` and the release workflow run before touching an account.
 */
export function refusePlaceholders(
  env: Readonly<Record<string, string | undefined>>,
  model: PlaceholderModel = MODEL,
): void {
  if (env[ALLOW_PLACEHOLDERS_ENV] === '1') return;
  const lines = placeholderLines(placeholders(model));
  if (lines.length > 0) {
    throw new Error(
      `${lines.join('\n')}\n(${ALLOW_PLACEHOLDERS_ENV}=1 allows them for a synth that deploys nothing)`,
    );
  }
}
