import fc from 'fast-check';

/** Strings that break queries built by concatenation; bound parameters must store them verbatim. */
export const SQL_INJECTION: readonly string[] = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '"; DROP TABLE articles; --',
  "1'; SELECT pg_sleep(30); --",
  "' UNION SELECT password_hash, email FROM users --",
  "admin'--",
  "') OR ('a'='a",
  "%' OR '%'='",
  '$1',
  '$$; TRUNCATE tags; $$',
  "E'\\\\x41'",
  "\\'; DELETE FROM comments; --",
  "1' AND (SELECT count(*) FROM pg_user) > 0 --",
  "'||(SELECT current_user)||'",
  "'; COPY users TO PROGRAM 'id'; --",
  "' AND 1=CAST((SELECT version()) AS int) --",
  'ORDER BY 1 --',
  "''",
  '\\',
  '%_%',
];

/** Markup, template and path strings: stored and answered as JSON text, never interpreted. */
export const SCRIPT_INJECTION: readonly string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '"><svg/onload=alert(1)>',
  "{{constructor.constructor('alert(1)')()}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '</textarea><script>alert(1)</script>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  "';alert(String.fromCharCode(88,83,83))//",
  '__proto__',
  'constructor',
  '{"$gt":""}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f',
  '%00',
  '\r\nSet-Cookie: a=b',
  'file:///etc/passwd',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '%s%s%s%n',
];

/** Unicode that trips up normalisation, case mapping, rendering and byte-length assumptions. */
export const UNICODE_EDGES: readonly string[] = [
  '\u202Eevil\u202C',
  '\u200F\u200E',
  'שלום עולם',
  'مرحبا بالعالم',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '👍🏽',
  '🇺🇳',
  'Z\u0351\u0360\u0322\u0335\u0336\u0337\u0338',
  'e\u0301',
  'é',
  '\u0300',
  '\uFEFF',
  '\uFFFD',
  '\uFFFF',
  '\uFFFE',
  '\u{10FFFF}',
  '\u{1D54F}\u{1D550}',
  '\u00A0',
  '\u2028\u2029',
  '\t\n\r',
  'ǅ',
  'ß',
  'İ',
  'ı',
  'ﬃ',
  'Ⅻ',
  'ｆｕｌｌｗｉｄｔｈ',
  '中文字符',
  '한국어',
  '日本語のテキスト',
  '\u0007\u001B[31m\u007F',
  '\u200B',
  '\u180E',
  '𝕳𝖊𝖑𝖑𝖔',
  'a\u0308\u0308\u0308\u0308',
  '😀',
];

/** Every catalogue entry: what the injection and unicode families pick from. */
export const HOSTILE: readonly string[] = [...SQL_INJECTION, ...SCRIPT_INJECTION, ...UNICODE_EDGES];

// With the `u` flag a well-formed pair is one code point outside this range: only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

/** True when the string cannot be encoded as UTF-8 (a lone surrogate), as PostgreSQL text needs. */
export function hasLoneSurrogate(text: string): boolean {
  return new RegExp(LONE_SURROGATE.source, 'u').test(text);
}

/** Without NUL and lone surrogates: the characters a valid request may carry in every stored field. */
export function storable(text: string): string {
  return text.replace(LONE_SURROGATE, '').replaceAll('\u0000', '');
}

/** Length in code points, as the API's schemas (TypeBox) and PostgreSQL's length() count. */
export const codePoints = (text: string) => [...text].length;

/** Hostile text: catalogue entries and random unicode, concatenated; NUL and lone surrogates removed. */
export function hostileText(maxPieces = 4): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  return fc.array(piece, { minLength: 1, maxLength: maxPieces }).map((parts) => storable(parts.join('')));
}

export interface TextLimits {
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  /** Must contain something other than white space (the API's `\S` pattern). */
  readonly notBlank?: boolean | undefined;
}

/** `text` cut or padded (in code points) to fit the limits, with a non-blank character when required. */
export function fitText(text: string, limits: TextLimits): string {
  let points = [...text];
  const max = limits.maxLength ?? Number.POSITIVE_INFINITY;
  if (points.length > max) points = points.slice(0, max);
  while (points.length < (limits.minLength ?? 0)) points.push('x');
  if (limits.notBlank && !/\S/.test(points.join(''))) {
    if (points.length < max) points.push('x');
    else points[points.length - 1] = 'x';
  }
  return points.join('');
}

/** Text of exactly `length` code points, repeating `seed` (hostile pieces make long hostile strings). */
export function repeatTo(seed: string, length: number): string {
  const points = [...(seed === '' ? 'x' : seed)];
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(points[i % points.length]!);
  return out.join('');
}

/** `text` with `insert` placed at `at` (a code-point index, wrapped into range). */
export function insertAt(text: string, insert: string, at: number): string {
  const points = [...text];
  const index = points.length === 0 ? 0 : at % (points.length + 1);
  return [...points.slice(0, index), insert, ...points.slice(index)].join('');
}

/** Halves of surrogate pairs on their own: valid JSON escapes (`"\uD800"`) that UTF-8 cannot hold. */
export const LONE_SURROGATES: readonly string[] = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDE00\uD83D'];
