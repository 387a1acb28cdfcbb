import fc from 'fast-check';
import type { Sendable } from './fuzz-http.js';
import {
  defectiveValue,
  getAt,
  type Json,
  type JsonSchema,
  label,
  maxLengthOf,
  type Operation,
  setAt,
  stringFields,
  validValue,
} from './fuzz-schema.js';
import {
  codePoints,
  HOSTILE,
  hostileText,
  insertAt,
  LONE_SURROGATES,
  repeatTo,
  SCRIPT_INJECTION,
  SQL_INJECTION,
} from './fuzz-strings.js';
import { authDefects, type TokenKit } from './fuzz-tokens.js';

export interface Account {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
}

/** The data the rejected requests aim at: with the owner's token and no defect, each would succeed. */
export interface World {
  readonly kit: TokenKit;
  readonly owner: Account;
  /** Another user: their email and username are taken, their article and comment are not the owner's. */
  readonly other: Account;
  /** Existing path parameter values the owner may act on, for an operation (see fixtures in fuzz.ts). */
  readonly params: (op: Operation) => Readonly<Record<string, string>>;
  readonly otherSlug: string;
  readonly otherCommentId: string;
  /** Existing values, which hostile "does not exist" values must not hit (compared lower-cased). */
  readonly existing: ReadonlySet<string>;
  readonly bodyLimit: number;
  /** Literal path segments of the documented routes (`login`, `feed`, `follow`, ...). */
  readonly segments: ReadonlySet<string>;
  /** Methods documented per path template. */
  readonly methods: ReadonlyMap<string, readonly string[]>;
}

/**
 * What a case must get. `reject`: a 4xx in the error shape. `safe`: anything but a 5xx (4xx in the error
 * shape). `no-match`: a 200 listing no article, as for filters that match nothing. `accept`: a 2xx, for
 * valid values at the edges.
 */
export type Expectation = 'reject' | 'safe' | 'no-match' | 'accept';

export interface Probe {
  readonly family: string;
  readonly op: Operation;
  readonly what: string;
  readonly expect: Expectation;
  readonly build: () => Promise<Sendable>;
}

export interface Family {
  readonly name: string;
  /** Share of the budget, in cases at the CI budget. */
  readonly cases: number;
  readonly applies: (op: Operation, world: World) => boolean;
  readonly probes: (op: Operation, world: World) => fc.Arbitrary<Probe>;
}

interface Parts {
  /** Percent-encoded path segments by parameter name; existing values when absent. */
  readonly segments?: Readonly<Record<string, string>>;
  readonly query?: string;
  /** Authorization header: the owner's token when absent, none when null. */
  readonly authorization?: string | null;
  /** A JSON value (serialised here) or the bytes to send. */
  readonly body?: Json | Buffer | undefined;
  /** Content-Type: application/json when absent, none when null. */
  readonly contentType?: string | null;
  readonly chunked?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  /** Appended to the path (after the parameters), e.g. `/extra`. */
  readonly suffix?: string;
  readonly method?: string;
}

export function pathOf(op: Operation, world: World, segments: Readonly<Record<string, string>> = {}): string {
  const existing = world.params(op);
  return op.path.replace(
    /\{(\w+)\}/g,
    (_, name: string) => segments[name] ?? encodeURIComponent(existing[name] ?? ''),
  );
}

export function sendable(op: Operation, world: World, parts: Parts = {}): Sendable {
  const headers: Record<string, string> = { ...parts.headers };
  const authorization =
    parts.authorization === undefined && op.auth !== 'none'
      ? `Token ${world.owner.token}`
      : parts.authorization;
  if (typeof authorization === 'string') headers.authorization = authorization;
  let body: Buffer | undefined;
  if (parts.body !== undefined) {
    body = Buffer.isBuffer(parts.body) ? parts.body : Buffer.from(JSON.stringify(parts.body));
    const contentType = parts.contentType === undefined ? 'application/json' : parts.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
  }
  const path = `${pathOf(op, world, parts.segments)}${parts.suffix ?? ''}${parts.query ? `?${parts.query}` : ''}`;
  return {
    method: parts.method ?? op.method,
    path,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(parts.chunked ? { chunked: true } : {}),
  };
}

const hasBody = (op: Operation) => op.method !== 'GET' && op.method !== 'HEAD';
const text = hostileText();

/** A valid body for the operation (undefined when it takes none): the baseline a defect is put into. */
function validBody(op: Operation): fc.Arbitrary<Json | undefined> {
  return op.body ? validValue(op.body, text) : fc.constant(undefined);
}

function probe(
  family: string,
  op: Operation,
  what: string,
  expect: Expectation,
  build: () => Promise<Sendable> | Sendable,
): Probe {
  return { family, op, what, expect, build: async () => build() };
}

/** Whether the API's JSON parser would accept the text: it drops a leading BOM, twice (decoder, parser). */
const parses = (candidate: string) => {
  try {
    JSON.parse(candidate.replace(/^\uFEFF{1,2}/, ''));
    return true;
  } catch {
    return false;
  }
};

/** Whether a path-parameter value could name an existing row (so it is no "does not exist" defect). */
function mayExist(name: string, value: string, world: World): boolean {
  if (world.existing.has(value.toLowerCase())) return true;
  if (name !== 'id') return false;
  // The API converts ids leniently (" 1", "0x1", "1.5", "true" all name comment 1): only values that
  // are no number at all, or numbers no comment can have, are sure not to exist.
  if (/^\s*(true|false)\s*$/i.test(value)) return true;
  const number = Number(value);
  return Number.isFinite(number) && Math.trunc(number) > 0 && Math.trunc(number) < 1e12;
}

function missingValue(name: string, world: World): fc.Arbitrary<string> {
  return fc
    .oneof(
      text,
      fc.constantFrom(...HOSTILE),
      fc.constantFrom('-1', '0', '1e400', '99999999999999999999', 'NaN', '-Infinity', '1_000', '٣'),
    )
    .filter((value) => value !== '' && !mayExist(name, value, world));
}

// ---- families -----------------------------------------------------------------------------------------

const auth: Family = {
  name: 'auth',
  cases: 150,
  applies: (op) => op.auth !== 'none',
  probes: (op, world) =>
    fc
      .tuple(authDefects(world.kit, op.auth === 'required'), validBody(op))
      .map(([defect, body]) =>
        probe('auth', op, defect.what, defect.ghost ? 'safe' : 'reject', async () =>
          sendable(op, world, { authorization: (await defect.header()) ?? null, body }),
        ),
      ),
};

const JUNK = [
  ',',
  '}',
  ']',
  '{',
  ':',
  "'",
  'NaN',
  'undefined',
  '//c',
  '/*',
  '\\x',
  '\u0001',
  'True',
  '"',
  '+1',
  '0x1',
];
const INVALID_UTF8 = [
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];
const MARK = 'FUZZ-INVALID-UTF8';

/** A JSON text of the operation's baseline body (an object for operations without a body schema). */
const baselineText = (op: Operation) => validBody(op).map((body) => JSON.stringify(body ?? { fuzz: 'x' }));

const malformedJson: Family = {
  name: 'malformed-json',
  cases: 120,
  applies: hasBody,
  probes: (op, world) => {
    const send = (what: string, body: string | Buffer) =>
      probe('malformed-json', op, what, 'reject', () =>
        sendable(op, world, { body: typeof body === 'string' ? Buffer.from(body) : body }),
      );
    return fc.oneof(
      fc
        .tuple(baselineText(op), fc.nat())
        .map(([json, at]) => json.slice(0, 1 + (at % (json.length - 1))))
        .filter((cut) => !parses(cut) && cut.trim() !== '')
        .map((cut) => send(`truncated to ${cut.length} characters`, cut)),
      fc
        .tuple(baselineText(op), fc.constantFrom(...JUNK), fc.nat())
        .map(([json, junk, at]) => ({
          junk,
          json: `${json.slice(0, at % json.length)}${junk}${json.slice(at % json.length)}`,
        }))
        .filter(({ json }) => !parses(json))
        .map(({ junk, json }) => send(`syntax error ${JSON.stringify(junk)}`, json)),
      text.filter((t) => t.trim() !== '' && !parses(t)).map((t) => send('not JSON', t)),
      fc
        .tuple(
          baselineText(op),
          fc.constantFrom('"__proto__":{"admin":true}', '"constructor":{"prototype":{"admin":true}}'),
          fc.nat(),
        )
        .map(([json, poison, at]) => {
          // After any `{` of the baseline: at the top or inside the wrapper object.
          const braces = [...json.matchAll(/\{/g)].map((m) => m.index);
          const index = braces[at % braces.length]! + 1;
          const rest = json.slice(index);
          return send(
            `prototype poisoning ${poison.slice(1, 12)}`,
            `${json.slice(0, index)}${poison}${rest.startsWith('}') ? '' : ','}${rest}`,
          );
        }),
      fc
        .tuple(fc.integer({ min: 1000, max: 200_000 }), fc.boolean())
        .map(([depth, poisoned]) =>
          poisoned
            ? send(
                `${depth} nested objects around __proto__`,
                `${'{"a":'.repeat(depth)}{"__proto__":1}${'}'.repeat(depth)}`,
              )
            : send(`${depth} nested arrays, unclosed`, `${'['.repeat(depth)}${']'.repeat(depth - 1)}`),
        ),
      fc.tuple(validBody(op), fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([body, bytes, at]) => {
        const fields = op.body && body !== undefined ? stringFields(op.body, body) : [];
        const field = fields[at % Math.max(fields.length, 1)];
        const marked = field ? setAt(body ?? null, field.path, MARK) : { fuzz: MARK };
        const [before, after] = JSON.stringify(marked).split(MARK) as [string, string];
        return send(
          `bytes ${bytes.map((b) => b.toString(16)).join(' ')} (not UTF-8) in ${field ? label(field.path) : 'fuzz'}`,
          Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]),
        );
      }),
    );
  },
};

const UNSUPPORTED_TYPES = [
  'application/xml',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/jsonx',
  'application/vnd.api+json',
  'application/json-patch+json',
  'text/json',
  '*/*',
  'application/octet-stream',
  'image/png',
];

const contentType: Family = {
  name: 'content-type',
  cases: 60,
  applies: hasBody,
  probes: (op, world) =>
    fc
      .tuple(
        baselineText(op),
        // text/plain has a parser (the body becomes a string): a defect only where an object is required.
        fc.constantFrom<string | null>(
          ...UNSUPPORTED_TYPES,
          null,
          ...(op.body ? ['text/plain', 'text/plain; charset=utf-8'] : []),
        ),
      )
      .map(([json, type]) =>
        probe('content-type', op, type === null ? 'no Content-Type' : `Content-Type ${type}`, 'reject', () =>
          sendable(op, world, { body: Buffer.from(json), contentType: type }),
        ),
      ),
};

const schema: Family = {
  name: 'schema',
  cases: 160,
  applies: (op) => op.body !== undefined,
  probes: (op, world) =>
    validBody(op)
      .chain((valid) => defectiveValue(op.body as JsonSchema, valid ?? null, text))
      .map((defect) =>
        probe('schema', op, defect.what, 'reject', () => sendable(op, world, { body: defect.value })),
      ),
};

const huge: Family = {
  name: 'huge',
  cases: 60,
  applies: () => true,
  probes: (op, world) => {
    const options: fc.Arbitrary<Probe>[] = [
      // Node's HTTP parser stops at 16 KiB of headers: the request never reaches Fastify.
      fc
        .integer({ min: 17_000, max: 64_000 })
        .map((size) =>
          probe('huge', op, `${size}-byte header`, 'reject', () =>
            sendable(op, world, { headers: { 'x-fuzz-padding': 'a'.repeat(size) } }),
          ),
        ),
    ];
    if (hasBody(op)) {
      options.push(
        fc
          .tuple(fc.integer({ min: 1, max: 256 * 1024 }), fc.boolean(), fc.constantFrom(...HOSTILE))
          .map(([over, chunked, seed]) =>
            probe(
              'huge',
              op,
              `body ${over} bytes over the limit${chunked ? ', chunked' : ''}`,
              'reject',
              () => {
                // Padded to exactly limit + over bytes, whatever the UTF-8 length of the seed.
                const shell = Buffer.from(JSON.stringify({ fuzz: '' }));
                const padding = Buffer.from(repeatTo(seed, world.bodyLimit + over));
                const body = Buffer.concat([
                  shell.subarray(0, 9),
                  padding.subarray(0, world.bodyLimit + over - shell.length),
                  shell.subarray(9),
                ]);
                return sendable(op, world, { body, chunked });
              },
            ),
          ),
      );
    }
    if (op.body) {
      options.push(
        fc
          .tuple(
            validBody(op),
            fc.nat(),
            fc.integer({ min: 1000, max: 300_000 }),
            fc.constantFrom(...HOSTILE),
          )
          .filter(([body]) => body !== undefined && stringFields(op.body!, body).length > 0)
          .map(([body, at, over, seed]) => {
            const fields = stringFields(op.body!, body!);
            const field = fields[at % fields.length]!;
            const max = maxLengthOf(field.schema) ?? 4096;
            const value = repeatTo(seed, max + over);
            return probe(
              'huge',
              op,
              `${label(field.path)} of ${codePoints(value)} code points`,
              'reject',
              () => sendable(op, world, { body: setAt(body!, field.path, value) }),
            );
          }),
      );
    }
    for (const param of op.pathParams) {
      options.push(
        fc.tuple(fc.integer({ min: 501, max: 8000 }), fc.constantFrom(...HOSTILE)).map(([length, seed]) =>
          probe('huge', op, `${param.name} of ${length} characters`, 'reject', () =>
            sendable(op, world, {
              // Cut so that the request line stays within Node's 16 KiB of headers.
              segments: { [param.name]: encodeURIComponent(repeatTo(seed, length)).slice(0, 12_000) },
            }),
          ),
        ),
      );
    }
    return fc.oneof(...options);
  },
};

const unicode: Family = {
  name: 'unicode',
  cases: 100,
  applies: (op) => op.body !== undefined || op.pathParams.length > 0 || op.query.length > 0,
  probes: (op, world) => {
    const options: fc.Arbitrary<Probe>[] = [];
    if (op.body) {
      const fieldsOf = (body: Json | undefined) => (body === undefined ? [] : stringFields(op.body!, body));
      options.push(
        // Passwords are hashed, never stored as text: a NUL in one is fine.
        fc
          .tuple(validBody(op), fc.nat(), fc.nat())
          .filter(([body]) => fieldsOf(body).some((f) => f.path.at(-1) !== 'password'))
          .map(([body, at, position]) => {
            const fields = fieldsOf(body).filter((f) => f.path.at(-1) !== 'password');
            const field = fields[at % fields.length]!;
            const value = insertAt(String(getAt(body!, field.path)), '\u0000', position);
            return probe('unicode', op, `NUL in ${label(field.path)}`, 'reject', () =>
              sendable(op, world, { body: setAt(body!, field.path, value) }),
            );
          }),
        fc
          .tuple(validBody(op), fc.nat(), fc.nat(), fc.constantFrom(...LONE_SURROGATES))
          .filter(([body]) => fieldsOf(body).length > 0)
          .map(([body, at, position, lone]) => {
            const fields = fieldsOf(body);
            const field = fields[at % fields.length]!;
            const value = insertAt(String(getAt(body!, field.path)), lone, position);
            return probe(
              'unicode',
              op,
              `lone surrogate ${JSON.stringify(lone)} in ${label(field.path)}`,
              'reject',
              () => sendable(op, world, { body: setAt(body!, field.path, value) }),
            );
          }),
        // Over the limit in code points, though within it in bytes or graphemes for some counts.
        fc
          .tuple(
            validBody(op),
            fc.nat(),
            fc.integer({ min: 1, max: 16 }),
            fc.constantFrom('😀', '👨‍👩‍👧‍👦', 'e\u0301', '中', '\u{10FFFF}'),
          )
          .filter(([body]) => fieldsOf(body).some((f) => maxLengthOf(f.schema) !== undefined))
          .map(([body, at, over, unit]) => {
            const fields = fieldsOf(body).filter((f) => maxLengthOf(f.schema) !== undefined);
            const field = fields[at % fields.length]!;
            const value = repeatTo(unit, maxLengthOf(field.schema)! + over);
            return probe(
              'unicode',
              op,
              `${label(field.path)} of ${codePoints(value)} code points of ${JSON.stringify(unit)}`,
              'reject',
              () => sendable(op, world, { body: setAt(body!, field.path, value) }),
            );
          }),
      );
    }
    for (const param of op.pathParams) {
      options.push(
        fc.tuple(fc.nat(), validBody(op)).map(([position, body]) => {
          const value = insertAt(world.params(op)[param.name] ?? '', '\u0000', position);
          return probe('unicode', op, `NUL in ${param.name}`, 'reject', () =>
            sendable(op, world, { segments: { [param.name]: encodeURIComponent(value) }, body }),
          );
        }),
        fc
          .tuple(
            fc.constantFrom('%C0%AF', '%ED%A0%80', '%FF', '%E0%A4%A', '%', '%F4%90%80%80', '%C3'),
            validBody(op),
          )
          .map(([raw, body]) =>
            probe('unicode', op, `${param.name} "${raw}" (not UTF-8 once decoded)`, 'reject', () =>
              sendable(op, world, { segments: { [param.name]: raw }, body }),
            ),
          ),
      );
    }
    const strings = op.query.filter((q) => q.schema.type === 'string');
    if (strings.length > 0) {
      options.push(
        fc.tuple(fc.constantFrom(...strings), text, fc.nat()).map(([param, value, position]) =>
          probe('unicode', op, `NUL in ?${param.name}`, 'reject', () =>
            sendable(op, world, {
              query: `${param.name}=${encodeURIComponent(insertAt(value, '\u0000', position))}`,
            }),
          ),
        ),
      );
    }
    const integers = op.query.filter((q) => q.schema.type === 'integer');
    if (integers.length > 0) {
      options.push(
        // Digits of other scripts: Number() does not read them, nor does the API.
        fc
          .tuple(fc.constantFrom(...integers), fc.constantFrom('٣', '１', '²', '½', '五', '߃', '३'))
          .map(([param, digit]) =>
            probe('unicode', op, `?${param.name}=${digit}`, 'reject', () =>
              sendable(op, world, { query: `${param.name}=${encodeURIComponent(digit)}` }),
            ),
          ),
      );
    }
    return fc.oneof(...options);
  },
};

/**
 * Integer query values the API must refuse: out of range, or not written as plain digits (the API reads
 * integers strictly, so forms `Number()` would accept are refused too).
 */
function badInteger(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minimum ?? 0;
  return fc.oneof(
    ...(schema.maximum === undefined
      ? []
      : [fc.integer({ min: 1, max: 1_000_000 }).map((n) => String(schema.maximum! + n))]),
    fc.constantFrom(' 7', '+3', '1e3', '0x10', '1.5', '7 ', 'true'),
    fc.integer({ min: 1, max: 1_000_000 }).map((n) => String(min - n)),
    fc.double({ min: 1, max: 1e6, noNaN: true }).map((n) => String(min - n)),
    fc.constantFrom(
      '1e16',
      '99999999999999999999',
      '1e400',
      'Infinity',
      '-Infinity',
      'NaN',
      '1_000',
      '٣',
      '１',
    ),
    fc
      .constantFrom(...SQL_INJECTION, ...SCRIPT_INJECTION)
      .filter((s) => Number.isNaN(Number(s)) && !/^\s*(true|false)\s*$/i.test(s)),
    ...(min > 0 ? [fc.constantFrom('0', '0.0', '-0', 'false', '')] : []),
  );
}

const query: Family = {
  name: 'query',
  cases: 60,
  applies: (op) => op.query.length > 0,
  probes: (op, world) => {
    const integers = op.query.filter((q) => q.schema.type === 'integer');
    const strings = op.query.filter((q) => q.schema.type === 'string');
    const options: fc.Arbitrary<Probe>[] = [];
    if (integers.length > 0) {
      options.push(
        fc
          .constantFrom(...integers)
          .chain((param) => badInteger(param.schema).map((value) => ({ param, value })))
          .map(({ param, value }) =>
            probe('query', op, `?${param.name}=${JSON.stringify(value)}`, 'reject', () =>
              sendable(op, world, { query: `${param.name}=${encodeURIComponent(value)}` }),
            ),
          ),
        // Valid at the edges: the largest page and offset (past the last page the total is counted apart).
        fc
          .tuple(
            fc.constantFrom(
              '1',
              '007',
              String(integers.find((q) => q.name === 'limit')?.schema.maximum ?? 1),
            ),
            fc.constantFrom('0', '2', String(Number.MAX_SAFE_INTEGER), String(1e15)),
          )
          .map(([limit, offset]) =>
            probe('query', op, `?limit=${limit}&offset=${offset}`, 'accept', () =>
              sendable(op, world, {
                query: `limit=${encodeURIComponent(limit)}&offset=${encodeURIComponent(offset)}`,
              }),
            ),
          ),
        fc
          .tuple(
            fc.constantFrom(...integers),
            fc.integer({ min: 1, max: 50 }),
            fc.integer({ min: 1, max: 50 }),
          )
          .map(([param, a, b]) =>
            probe('query', op, `?${param.name} twice`, 'reject', () =>
              sendable(op, world, { query: `${param.name}=${a}&${param.name}=${b}` }),
            ),
          ),
      );
    }
    if (strings.length > 0) {
      options.push(
        fc
          .tuple(fc.constantFrom(...strings), fc.oneof(text, fc.constantFrom(...HOSTILE)))
          .filter(([, value]) => !world.existing.has(value.toLowerCase()))
          .map(([param, value]) =>
            probe(
              'query',
              op,
              `?${param.name}=${JSON.stringify(value).slice(0, 40)} matches nothing`,
              'no-match',
              () => sendable(op, world, { query: `${param.name}=${encodeURIComponent(value)}&limit=100` }),
            ),
          ),
        fc
          .constantFrom(...strings)
          .map((param) =>
            probe('query', op, `?${param.name} twice`, 'reject', () =>
              sendable(op, world, { query: `${param.name}=a&${param.name}=b` }),
            ),
          ),
      );
    }
    return fc.oneof(...options);
  },
};

const injection: Family = {
  name: 'injection',
  cases: 80,
  applies: (op) => op.pathParams.length > 0 || op.query.length > 0 || isLogin(op),
  probes: (op, world) => {
    const strings = fc.constantFrom(...SQL_INJECTION, ...SCRIPT_INJECTION);
    const options: fc.Arbitrary<Probe>[] = [];
    for (const param of op.pathParams) {
      options.push(
        fc
          .tuple(
            strings.filter((s) => s !== '' && !mayExist(param.name, s, world)),
            validBody(op),
          )
          .map(([value, body]) =>
            probe('injection', op, `${param.name}=${JSON.stringify(value)}`, 'reject', () =>
              sendable(op, world, { segments: { [param.name]: encodeURIComponent(value) }, body }),
            ),
          ),
      );
    }
    for (const param of op.query.filter((q) => q.schema.type === 'integer')) {
      options.push(
        strings
          .filter((s) => Number.isNaN(Number(s)) && !/^\s*(true|false)\s*$/i.test(s))
          .map((value) =>
            probe('injection', op, `?${param.name}=${JSON.stringify(value)}`, 'reject', () =>
              sendable(op, world, { query: `${param.name}=${encodeURIComponent(value)}` }),
            ),
          ),
      );
    }
    if (isLogin(op)) {
      options.push(
        fc.tuple(strings, strings, fc.boolean()).map(([email, password, ownEmail]) =>
          probe(
            'injection',
            op,
            `login as ${JSON.stringify(ownEmail ? world.owner.email : email)} with ${JSON.stringify(password)}`,
            'reject',
            () =>
              sendable(op, world, {
                body: { user: { email: ownEmail ? world.owner.email : email, password } },
              }),
          ),
        ),
      );
    }
    return fc.oneof(...options);
  },
};

const pathParams: Family = {
  name: 'path-params',
  cases: 80,
  applies: (op) => op.pathParams.length > 0,
  probes: (op, world) =>
    fc.tuple(fc.constantFrom(...op.pathParams), validBody(op)).chain(([param, body]) =>
      fc
        .oneof(
          missingValue(param.name, world).map((value) => ({ segment: encodeURIComponent(value), value })),
          // Sent as is: encodings and dot segments the router and the decoder see raw.
          fc
            .constantFrom(
              '%2F',
              'a%2Fb',
              '%252F',
              '..',
              '.',
              '%2E%2E',
              '%20',
              '%09',
              '%0A',
              '%23',
              '%3F',
              '~',
              '%7E%7E',
              '+',
            )
            .map((segment) => ({ segment, value: segment })),
        )
        .map(({ segment, value }) =>
          probe('path-params', op, `${param.name}=${JSON.stringify(value).slice(0, 60)}`, 'reject', () =>
            sendable(op, world, { segments: { [param.name]: segment }, body }),
          ),
        ),
    ),
};

const isLogin = (op: Operation) => op.method === 'POST' && op.path.endsWith('/users/login');
const route = (op: Operation) => `${op.method} ${op.path}`;

/** A case-changed spelling: usernames and emails are unique case-insensitively. */
const recased = (value: string, flips: readonly boolean[]) =>
  [...value].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');

const semantic: Family = {
  name: 'semantic',
  cases: 40,
  applies: (op) =>
    [
      'PUT /api/articles/{slug}',
      'DELETE /api/articles/{slug}',
      'DELETE /api/articles/{slug}/comments/{id}',
      'POST /api/users',
      'PUT /api/user',
      'POST /api/users/login',
    ].includes(route(op)),
  probes: (op, world) => {
    const flips = fc.array(fc.boolean(), { minLength: 1, maxLength: 8 });
    switch (route(op)) {
      case 'PUT /api/articles/{slug}':
      case 'DELETE /api/articles/{slug}':
        return validBody(op).map((body) =>
          probe('semantic', op, "another user's article (403)", 'reject', () =>
            sendable(op, world, { segments: { slug: encodeURIComponent(world.otherSlug) }, body }),
          ),
        );
      case 'DELETE /api/articles/{slug}/comments/{id}':
        return fc
          .boolean()
          .map((foreignComment) =>
            foreignComment
              ? probe('semantic', op, "another user's comment (403)", 'reject', () =>
                  sendable(op, world, { segments: { id: world.otherCommentId } }),
                )
              : probe('semantic', op, "the owner's comment under another article (404)", 'reject', () =>
                  sendable(op, world, { segments: { slug: encodeURIComponent(world.otherSlug) } }),
                ),
          );
      case 'POST /api/users':
      case 'PUT /api/user':
        return fc
          .tuple(validBody(op), flips, fc.constantFrom('username', 'email'))
          .map(([body, flip, field]) => {
            const taken = recased(field === 'username' ? world.other.username : world.other.email, flip);
            return probe('semantic', op, `${field} taken as ${JSON.stringify(taken)} (409)`, 'reject', () =>
              sendable(op, world, { body: setAt(body ?? { user: {} }, ['user', field], taken) }),
            );
          });
      default:
        return fc
          .tuple(
            text.filter((p) => p.trim() !== ''),
            flips,
          )
          .map(([password, flip]) =>
            probe('semantic', op, 'wrong password (401)', 'reject', () =>
              sendable(op, world, {
                body: {
                  user: {
                    email: recased(world.owner.email, flip),
                    password: `${password}${world.owner.password}`,
                  },
                },
              }),
            ),
          );
    }
  },
};

const routing: Family = {
  name: 'routing',
  cases: 40,
  applies: () => true,
  probes: (op, world) => {
    const documented = world.methods.get(op.path) ?? [];
    const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE', 'FUZZ'].filter(
      (m) => !documented.includes(m),
    );
    return fc.oneof(
      fc
        .constantFrom(...others)
        .map((method) =>
          probe('routing', op, `${method} on ${op.path}`, 'reject', () => sendable(op, world, { method })),
        ),
      fc
        .oneof(text, fc.constantFrom(...HOSTILE))
        // Not a route's own segment (`/users` + `/login` is a route) nor an existing slug or name.
        .filter(
          (segment) =>
            segment !== '' && !world.existing.has(segment.toLowerCase()) && !/^\.{1,2}$/.test(segment),
        )
        .map((segment) =>
          probe('routing', op, `extra segment ${JSON.stringify(segment).slice(0, 40)}`, 'reject', () =>
            sendable(op, world, { suffix: `/${encodeURIComponent(segment)}` }),
          ),
        ),
    );
  },
};

/** The rejected-request families, in report order. */
export const FAMILIES: readonly Family[] = [
  auth,
  malformedJson,
  contentType,
  schema,
  huge,
  unicode,
  injection,
  pathParams,
  query,
  semantic,
  routing,
];
