import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdict } from './fuzz.js';
import { changedTables } from './lib/fuzz-db.js';
import { normalizedTags } from './lib/fuzz-hostile.js';
import type { Answer } from './lib/fuzz-http.js';
import { conforms, defectiveValue, type JsonSchema, operationsOf, validValue } from './lib/fuzz-schema.js';
import {
  codePoints,
  fitText,
  hasLoneSurrogate,
  hostileText,
  insertAt,
  LONE_SURROGATES,
  storable,
} from './lib/fuzz-strings.js';

// Request schemas as the API's OpenAPI document serves them (TypeBox output), so these tests need no API.
const text = (maxLength: number, minLength?: number): JsonSchema => ({
  type: 'string',
  pattern: '\\S',
  maxLength,
  ...(minLength ? { minLength } : {}),
});
const email: JsonSchema = {
  allOf: [
    { type: 'string', pattern: '\\S' },
    { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 254 },
  ],
};
const nullable = (maxLength: number): JsonSchema => ({
  anyOf: [{ type: 'string', maxLength }, { type: 'null' }],
});
const SCHEMAS: Record<string, JsonSchema> = {
  register: {
    type: 'object',
    required: ['user'],
    properties: {
      user: {
        type: 'object',
        required: ['username', 'email', 'password'],
        properties: { username: text(64), email, password: text(256, 8) },
      },
    },
  },
  updateUser: {
    type: 'object',
    required: ['user'],
    properties: {
      user: {
        type: 'object',
        minProperties: 1,
        properties: {
          email,
          password: text(256, 8),
          username: text(64),
          bio: nullable(4096),
          image: nullable(2048),
        },
      },
    },
  },
  createArticle: {
    type: 'object',
    required: ['article'],
    properties: {
      article: {
        type: 'object',
        required: ['title', 'description', 'body'],
        properties: {
          title: text(255),
          description: text(1024),
          body: text(100_000),
          tagList: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 20 },
        },
      },
    },
  },
};

const answer = (status: number, body: unknown, contentType = 'application/json; charset=utf-8'): Answer => ({
  status,
  headers: { 'content-type': contentType },
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('fuzz generators', () => {
  it.each(Object.entries(SCHEMAS))('generate %s bodies that conform to the schema', (_name, schema) => {
    fc.assert(
      fc.property(validValue(schema, hostileText()), (body) => conforms(schema, body)),
      { numRuns: 200 },
    );
  });

  // The rejected-request property relies on this: every case really carries a defect.
  it.each(Object.entries(SCHEMAS))('put exactly a defect into %s bodies', (_name, schema) => {
    const defective = validValue(schema, hostileText()).chain((valid) =>
      defectiveValue(schema, valid, hostileText()),
    );
    fc.assert(
      fc.property(defective, (defect) => !conforms(schema, defect.value) && defect.what !== ''),
      { numRuns: 300 },
    );
  });

  it('count lengths in code points, as the API and PostgreSQL do', () => {
    expect(conforms(text(64), '😀'.repeat(64))).toBe(true);
    expect(conforms(text(64), '😀'.repeat(65))).toBe(false);
    expect(conforms(text(64), ' \t\u00A0')).toBe(false);
    expect(conforms(email, 'a@b')).toBe(true);
    expect(conforms(email, 'a b@c')).toBe(false);
    expect(conforms(nullable(3), null)).toBe(true);
    expect(codePoints('e\u0301😀')).toBe(3);
  });

  it('make hostile text that PostgreSQL can store: no NUL, no lone surrogate', () => {
    fc.assert(
      fc.property(hostileText(), (value) => !value.includes('\u0000') && !hasLoneSurrogate(value)),
      { numRuns: 500 },
    );
    expect(storable('a\u0000b\uD800c\uD83D\uDE00')).toBe('abc\uD83D\uDE00');
  });

  it('leave a lone surrogate wherever one is inserted, even next to a pair', () => {
    fc.assert(
      fc.property(hostileText(), fc.constantFrom(...LONE_SURROGATES), fc.nat(), (value, lone, at) =>
        hasLoneSurrogate(insertAt(value, lone, at)),
      ),
      { numRuns: 500 },
    );
    expect(hasLoneSurrogate('\uD83D\uDE00')).toBe(false);
  });

  it('fit text into limits without breaking characters', () => {
    fc.assert(
      fc.property(hostileText(), fc.integer({ min: 1, max: 20 }), (value, max) => {
        const fitted = fitText(value, { maxLength: max, notBlank: true });
        return codePoints(fitted) <= max && /\S/.test(fitted) && !hasLoneSurrogate(fitted);
      }),
      { numRuns: 300 },
    );
    expect(fitText('', { minLength: 8 })).toBe('xxxxxxxx');
  });

  it('normalise tags as the API documents it: trimmed, no blanks, first of duplicates', () => {
    expect(normalizedTags([' a ', 'b', '\uFEFF', 'a', '\u00A0b\u2028'])).toEqual(['a', 'b']);
  });
});

describe('fuzz OpenAPI reading', () => {
  it('finds every operation with its parameters, body and authentication', () => {
    const operations = operationsOf({
      paths: {
        '/api/articles/{slug}': {
          get: {
            operationId: 'GetArticle',
            parameters: [{ in: 'path', name: 'slug', schema: { type: 'string' } }],
            security: [{}, { Token: [] }],
          },
          put: {
            operationId: 'UpdateArticle',
            parameters: [{ in: 'path', name: 'slug', schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
            security: [{ Token: [] }],
          },
        },
        '/api/tags': { get: { operationId: 'GetTags', security: [] } },
      },
    });
    expect(
      operations.map((op) => [op.id, op.method, op.auth, op.pathParams.length, op.body !== undefined]),
    ).toEqual([
      ['GetArticle', 'GET', 'optional', 1, false],
      ['UpdateArticle', 'PUT', 'required', 1, true],
      ['GetTags', 'GET', 'none', 0, false],
    ]);
    expect(() => operationsOf({ openapi: '3.1.0' })).toThrow(/no paths/);
  });
});

describe('fuzz verdicts', () => {
  const error = { errors: { body: ['is not valid JSON'] } };

  it('want a 4xx in the error shape for a defect', () => {
    expect(verdict('reject', answer(400, error))).toBeUndefined();
    expect(verdict('reject', answer(200, { user: {} }))).toMatch(/^accepted/);
    expect(verdict('reject', answer(500, { errors: { server: ['internal error'] } }))).toMatch(
      /server error/,
    );
    expect(verdict('reject', answer(431, { error: 'Too Large', statusCode: 431 }))).toMatch(/error shape/);
    expect(verdict('reject', answer(413, error, 'text/html'))).toMatch(/content-type/);
    expect(verdict('reject', answer(422, { errors: { title: [] } }))).toMatch(/not a list of messages/);
    expect(verdict('reject', { status: 0, headers: {}, text: '', error: 'socket hang up' })).toMatch(
      /no answer/,
    );
  });

  it('let a merely safe case succeed, and a no-match filter list nothing', () => {
    expect(verdict('safe', answer(200, { articles: [] }))).toBeUndefined();
    expect(verdict('safe', answer(503, error))).toMatch(/server error/);
    expect(verdict('no-match', answer(200, { articles: [], articlesCount: 0 }))).toBeUndefined();
    expect(verdict('no-match', answer(200, { articles: [{}], articlesCount: 1 }))).toMatch(/listed 1/);
    expect(verdict('accept', answer(200, { articles: [], articlesCount: 3 }))).toBeUndefined();
    expect(verdict('accept', answer(422, { errors: { limit: ['must be >= 1'] } }))).toMatch(/^refused/);
  });

  it('name the tables whose checksum changed', () => {
    const before = new Map([
      ['users', '1 rows, md5 a'],
      ['tags', '0 rows, md5 -'],
    ]);
    expect(changedTables(before, new Map(before))).toEqual([]);
    expect(changedTables(before, new Map([['users', '2 rows, md5 b']]))).toEqual([
      'tags: 0 rows, md5 - → absent',
      'users: 1 rows, md5 a → 2 rows, md5 b',
    ]);
  });
});
