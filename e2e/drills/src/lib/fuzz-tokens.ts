import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT } from 'jose';
import { SQL_INJECTION } from './fuzz-strings.js';

/** What the drill knows to forge tokens: the API's JWT_SECRET (HS256) and a real token. */
export interface TokenKit {
  readonly secret: string;
  /** A valid token of an existing user. */
  readonly valid: string;
}

/** An Authorization header value that must not authenticate (or no header at all). */
export interface AuthDefect {
  readonly what: string;
  readonly header: () => Promise<string | undefined>;
  /**
   * A correctly signed token of a user that does not exist. Reads treat it as anonymous (or see an empty
   * feed) and deleting nothing is fine, so it only has to be answered without a 5xx and change nothing.
   */
  readonly ghost: boolean;
}

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A token signed with HMAC-SHA256 over any header and payload text, for payloads jose would not build. */
export function rawJwt(header: string, payload: string, secret: string): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

function signed(
  secret: string | Uint8Array,
  claims: { sub?: string; exp?: number; nbf?: number },
  alg = 'HS256',
) {
  const jwt = new SignJWT({}).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt();
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  jwt.setExpirationTime(claims.exp ?? now() + 3600);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
}

// Characters an HTTP header value may carry (node:http refuses the rest before sending).
const headerChar = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xa1, max: 0xff }).map((code) => String.fromCharCode(code)),
);
const headerText = (maxLength: number) => fc.string({ unit: headerChar, minLength: 1, maxLength });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Every way an Authorization header can fail: missing (when `required`), garbage, wrong scheme, tampered,
 * foreign, expired, not yet valid, unsigned, wrong algorithm, bad subject, oversized, and a ghost user.
 * `Bearer` and a lower-case `token` are accepted by the API on purpose, so they are not among them.
 */
export function authDefects(kit: TokenKit, required: boolean): fc.Arbitrary<AuthDefect> {
  const key = kit.secret;
  const [head, payload, signature] = kit.valid.split('.') as [string, string, string];
  const of = (
    what: string,
    header: () => Promise<string | undefined> | string | undefined,
    ghost = false,
  ) => ({
    what,
    header: async () => header(),
    ghost,
  });
  const defects: fc.Arbitrary<AuthDefect>[] = [
    headerText(60).map((junk) => of(`garbage "Token ${junk}"`, () => `Token ${junk}`)),
    headerText(60).map((junk) => of(`no scheme "${junk}"`, () => junk)),
    fc.constant(of('the token without a scheme', () => kit.valid)),
    fc
      .constantFrom('Basic', 'JWT', 'Tokens', 'Digest', 'Bearer:', 'Token:', 'OAuth', 'Token=')
      .map((scheme) => of(`scheme "${scheme}"`, () => `${scheme} ${kit.valid}`)),
    fc
      .constantFrom('Token', 'Token ', `Token  ${kit.valid}`, `Token ${kit.valid}.x`, `Token ${kit.valid} x`)
      .map((value) => of(`malformed "${value.slice(0, 24)}"`, () => value)),
    fc.tuple(fc.nat(), fc.nat({ max: BASE64URL.length - 2 })).map(([at, shift]) => {
      // The last character carries padding bits that may not change the decoded signature: never it.
      const index = at % (signature.length - 2);
      const replaced = BASE64URL[(BASE64URL.indexOf(signature[index]!) + 1 + shift) % BASE64URL.length]!;
      const tampered = `${signature.slice(0, index)}${replaced}${signature.slice(index + 1)}`;
      return of(`signature changed at ${index}`, () => `Token ${head}.${payload}.${tampered}`);
    }),
    fc
      .integer({ min: 1, max: 999_999 })
      .map((sub) =>
        of(
          `payload swapped for sub ${sub}`,
          () => `Token ${head}.${base64url(JSON.stringify({ sub: String(sub) }))}.${signature}`,
        ),
      ),
    fc.constant(
      of('signed with another secret', async () => `Token ${await signed(randomBytes(32), { sub: '1' })}`),
    ),
    fc
      .integer({ min: 5, max: 400_000_000 })
      .map((ago) =>
        of(`expired ${ago} s ago`, async () => `Token ${await signed(key, { sub: '1', exp: now() - ago })}`),
      ),
    fc
      .integer({ min: 120, max: 400_000_000 })
      .map((ahead) =>
        of(
          `not valid for ${ahead} s`,
          async () => `Token ${await signed(key, { sub: '1', nbf: now() + ahead })}`,
        ),
      ),
    fc.constant(
      of(
        'alg none',
        () => `Token ${new UnsecuredJWT({ sub: '1' }).setIssuedAt().setExpirationTime('1h').encode()}`,
      ),
    ),
    fc
      .constantFrom('HS384', 'HS512')
      .map((alg) =>
        of(`alg ${alg} with the right secret`, async () => `Token ${await signed(key, { sub: '1' }, alg)}`),
      ),
    fc
      .constantFrom(
        '{"sub":1}',
        '{"sub":""}',
        '{"sub":"abc"}',
        '{"sub":"-1"}',
        '{"sub":"1e3"}',
        '{"sub":"1234567890123456789"}',
        '{"sub":"1 OR 1=1"}',
        '{"exp":9999999999}',
        '{"sub":["1"]}',
        '[]',
        'null',
        'not json',
      )
      .map((claims) =>
        of(`signed payload ${claims}`, () => `Token ${rawJwt('{"alg":"HS256","typ":"JWT"}', claims, key)}`),
      ),
    fc
      .constantFrom('{"alg":"none"}', '{"alg":"HS256","crit":["x"]}', '{"typ":"JWT"}', 'garbage')
      .map((header) => of(`header ${header}`, () => `Token ${rawJwt(header, '{"sub":"1"}', key)}`)),
    fc
      .integer({ min: 1000, max: 15_000 })
      .map((length) => of(`${length}-character token`, () => `Token ${'a'.repeat(length)}.b.c`)),
    fc
      .constantFrom(...SQL_INJECTION)
      .map((injection) =>
        of(`injection "${injection}"`, () => `Token ${injection}`.replace(/[^\t\x20-\x7e]/g, '?')),
      ),
    fc
      .bigInt({ min: 10n ** 11n, max: 10n ** 18n - 1n })
      .map((sub) =>
        of(`ghost user ${sub}`, async () => `Token ${await signed(key, { sub: String(sub) })}`, true),
      ),
  ];
  if (required) defects.push(fc.constant(of('no Authorization header', () => undefined)));
  return fc.oneof(...defects);
}
