import fc from 'fast-check';
import { codePoints, fitText, repeatTo } from './fuzz-strings.js';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** The part of JSON Schema the API's OpenAPI document uses (TypeBox output). */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly minProperties?: number;
  readonly items?: JsonSchema;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

export type AuthMode = 'required' | 'optional' | 'none';

export interface Parameter {
  readonly name: string;
  readonly schema: JsonSchema;
}

/** One documented operation (method + path) of the OpenAPI document. */
export interface Operation {
  readonly id: string;
  readonly method: string;
  /** OpenAPI template, e.g. `/api/articles/{slug}`. */
  readonly path: string;
  readonly pathParams: readonly Parameter[];
  readonly query: readonly Parameter[];
  readonly body: JsonSchema | undefined;
  readonly auth: AuthMode;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function authMode(security: unknown): AuthMode {
  if (!Array.isArray(security) || security.length === 0) return 'none';
  // `[{}, {Token: []}]`: anonymous is one of the alternatives.
  return security.some((alternative) => isRecord(alternative) && Object.keys(alternative).length === 0)
    ? 'optional'
    : 'required';
}

/** Every operation of an OpenAPI 3 document; throws when the document does not have that shape. */
export function operationsOf(doc: unknown): Operation[] {
  if (!isRecord(doc) || !isRecord(doc.paths)) throw new Error('the OpenAPI document has no paths');
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isRecord(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      const parameters = (Array.isArray(operation.parameters) ? operation.parameters : []).filter(isRecord);
      const of = (where: string) =>
        parameters
          .filter((p) => p.in === where && typeof p.name === 'string')
          .map((p) => ({ name: String(p.name), schema: (isRecord(p.schema) ? p.schema : {}) as JsonSchema }));
      const content = isRecord(operation.requestBody) ? operation.requestBody.content : undefined;
      const json = isRecord(content) ? content['application/json'] : undefined;
      operations.push({
        id: typeof operation.operationId === 'string' ? operation.operationId : `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: of('path'),
        query: of('query'),
        body: isRecord(json) && isRecord(json.schema) ? (json.schema as JsonSchema) : undefined,
        auth: authMode(operation.security),
      });
    }
  }
  return operations;
}

/** Whether `value` satisfies `schema` as the API validates it (string lengths in code points). */
export function conforms(schema: JsonSchema, value: unknown): boolean {
  if (schema.allOf && !schema.allOf.every((part) => conforms(part, value))) return false;
  if (schema.anyOf && !schema.anyOf.some((part) => conforms(part, value))) return false;
  switch (schema.type) {
    case undefined:
      return true;
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (schema.type === 'number' || Number.isInteger(value)) &&
        value >= (schema.minimum ?? Number.NEGATIVE_INFINITY) &&
        value <= (schema.maximum ?? Number.POSITIVE_INFINITY)
      );
    case 'string':
      return (
        typeof value === 'string' &&
        codePoints(value) >= (schema.minLength ?? 0) &&
        codePoints(value) <= (schema.maxLength ?? Number.POSITIVE_INFINITY) &&
        (schema.pattern === undefined || new RegExp(schema.pattern).test(value))
      );
    case 'array':
      return (
        Array.isArray(value) &&
        value.length >= (schema.minItems ?? 0) &&
        value.length <= (schema.maxItems ?? Number.POSITIVE_INFINITY) &&
        value.every((item) => (schema.items ? conforms(schema.items, item) : true))
      );
    case 'object': {
      if (!isRecord(value)) return false;
      const present = Object.keys(value).filter((key) => value[key] !== undefined);
      return (
        (schema.required ?? []).every((key) => present.includes(key)) &&
        present.length >= (schema.minProperties ?? 0) &&
        Object.entries(schema.properties ?? {}).every(
          ([key, part]) => value[key] === undefined || conforms(part, value[key]),
        )
      );
    }
    default:
      return false;
  }
}

/** The string constraints of a schema that is a string or an allOf of strings (the API's email). */
function stringParts(schema: JsonSchema): JsonSchema[] | undefined {
  if (schema.type === 'string') return [schema];
  if (schema.allOf?.every((part) => part.type === 'string')) return [...schema.allOf];
  return undefined;
}

/** The longest string a schema allows (through allOf and anyOf), or undefined when unbounded. */
export function maxLengthOf(schema: JsonSchema): number | undefined {
  const limits = [schema, ...(schema.allOf ?? []), ...(schema.anyOf ?? [])].flatMap((part) =>
    part.type === 'string' && part.maxLength !== undefined ? [part.maxLength] : [],
  );
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

const ANCHORED = /^\^.*\$$/;

/**
 * Valid values of `schema`. Strings come from `text` (hostile text) fitted to the limits; an anchored
 * pattern (the email) is generated from the pattern itself, with `text` for its free parts.
 */
export function validValue(schema: JsonSchema, text: fc.Arbitrary<string>): fc.Arbitrary<Json> {
  const strings = stringParts(schema);
  if (strings) {
    const maxLength = Math.min(...strings.map((s) => s.maxLength ?? Number.POSITIVE_INFINITY));
    const minLength = Math.max(...strings.map((s) => s.minLength ?? 0));
    const patterns = strings.flatMap((s) => (s.pattern === undefined ? [] : [s.pattern]));
    const anchored = patterns.find((p) => ANCHORED.test(p));
    const notBlank = patterns.includes('\\S');
    const source = anchored
      ? fc.tuple(text, text).map(([local, domain]) =>
          // The only anchored pattern is the email's `^[^\s@]+@[^\s@]+$`: each side without space or @.
          [local, domain].map((part) => fitText(part.replace(/[\s@]/g, ''), { minLength: 1 })).join('@'),
        )
      : text;
    return source
      .map((value) => fitText(value, { minLength, maxLength, notBlank }))
      .filter((value) => conforms(schema, value));
  }
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((part) => validValue(part, text)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -1_000_000,
        max: Math.min(schema.maximum ?? 1_000_000, 1_000_000),
      });
    case 'array':
      return fc.array(schema.items ? validValue(schema.items, text) : fc.constant(null), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 8),
      });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      return fc
        .tuple(
          fc.tuple(...properties.map(([, part]) => validValue(part, text))),
          fc.array(fc.boolean(), { minLength: properties.length, maxLength: properties.length }),
        )
        .map(([values, chosen]) => {
          const keep = properties.map(([key], i) => required.has(key) || chosen[i] === true);
          // At least `minProperties`: take optional properties in order until there are enough.
          for (let i = 0; i < keep.length && keep.filter(Boolean).length < (schema.minProperties ?? 0); i++) {
            keep[i] = true;
          }
          return Object.fromEntries(properties.flatMap(([key], i) => (keep[i] ? [[key, values[i]!]] : [])));
        });
    }
    default:
      return fc.constant(null);
  }
}

/** A request body (or part) with one defect, and what the defect is. */
export interface Defect {
  readonly value: Json;
  readonly what: string;
}

type Path = readonly (string | number)[];

function setAt(value: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(head)] = setAt(copy[Number(head)] ?? null, rest, replacement);
    return copy;
  }
  const record = { ...(isRecord(value) ? value : {}) } as Record<string, Json>;
  if (rest.length === 0 && replacement === undefined) delete record[String(head)];
  else record[String(head)] = setAt(record[String(head)] ?? null, rest, replacement);
  return record;
}

function getAt(value: Json, path: Path): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path) {
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isRecord(current)) current = current[String(key)] as Json | undefined;
    else return undefined;
  }
  return current;
}

const label = (path: Path) => (path.length === 0 ? 'body' : path.join('.'));

/** JSON values of every type; the defect generator keeps those the schema does not allow. */
const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  // Deeply nested arrays in a field: the validator must reject them without a stack overflow. Deeper ones
  // go as raw text in the malformed-JSON family: JSON.stringify itself overflows near 5000 levels.
  fc
    .integer({ min: 50, max: 2000 })
    .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as Json),
);

const typeName = (value: Json) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Mutations of the node at `path` (schema `schema`, current value `current`) that break the schema:
 * a wrong type, and for its kind a length, pattern, range, item-count or missing-property violation.
 */
function mutations(
  schema: JsonSchema,
  path: Path,
  current: Json | undefined,
  text: fc.Arbitrary<string>,
): fc.Arbitrary<{ replacement: Json | undefined; what: string }> {
  const options: fc.Arbitrary<{ replacement: Json | undefined; what: string }>[] = [
    anyJson
      .filter((value) => !conforms(schema, value))
      .map((value) => ({ replacement: value, what: `${label(path)}: wrong type (${typeName(value)})` })),
  ];
  // A branch's own violations (the bio's length): the check at the root drops what another branch allows.
  for (const branch of schema.anyOf ?? []) {
    if (branch.type !== 'null') options.push(mutations(branch, path, current, text));
  }
  const strings = stringParts(schema);
  if (strings) {
    const max = Math.min(...strings.map((s) => s.maxLength ?? Number.POSITIVE_INFINITY));
    const min = Math.max(...strings.map((s) => s.minLength ?? 0));
    if (Number.isFinite(max)) {
      options.push(
        fc.tuple(text, fc.integer({ min: 1, max: 64 })).map(([seed, over]) => ({
          replacement: repeatTo(seed, max + over),
          what: `${label(path)}: too long (${max + over} > ${max} code points)`,
        })),
      );
    }
    if (min > 1) {
      options.push(
        text.map((seed) => ({
          replacement: fitText(seed, { maxLength: min - 1, notBlank: true }),
          what: `${label(path)}: too short (< ${min})`,
        })),
      );
    }
    for (const pattern of strings.flatMap((s) => (s.pattern === undefined ? [] : [s.pattern]))) {
      options.push(
        fc
          .oneof(
            fc.string({
              unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0', '\u2028', '\u3000', '\uFEFF'),
              maxLength: 6,
            }),
            text.map((seed) => seed.replaceAll('@', '')),
            text.map((seed) => `${seed} @ ${seed}`),
          )
          .filter((value) => !new RegExp(pattern).test(value))
          .map((value) => ({ replacement: value, what: `${label(path)}: does not match /${pattern}/` })),
      );
    }
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    options.push(
      fc
        .oneof(
          fc.integer({ min: 1, max: 1000 }).map((n) => (schema.minimum ?? 0) - n),
          fc.integer({ min: 1, max: 1000 }).map((n) => (schema.maximum ?? Number.MAX_SAFE_INTEGER) + n * 1e6),
          fc.double({ min: 0.1, max: 0.9, noNaN: true }).map((f) => (schema.minimum ?? 0) + 1 + f),
        )
        .filter((value) => !conforms(schema, value))
        .map((value) => ({ replacement: value, what: `${label(path)}: out of range (${value})` })),
    );
  }
  if (schema.type === 'array' && schema.maxItems !== undefined && schema.items) {
    const limit = schema.maxItems;
    options.push(
      fc
        .array(validValue(schema.items, text), { minLength: limit + 1, maxLength: limit + 10 })
        .map((items) => ({
          replacement: items,
          what: `${label(path)}: too many items (${items.length} > ${limit})`,
        })),
    );
  }
  if (schema.type === 'object' && isRecord(current)) {
    for (const key of schema.required ?? []) {
      if (current[key] !== undefined) {
        options.push(
          fc.constant({
            replacement: setAt(current, [key], undefined),
            what: `${label([...path, key])}: missing`,
          }),
        );
      }
    }
    if ((schema.minProperties ?? 0) > 0) {
      options.push(
        fc.constant({ replacement: {}, what: `${label(path)}: no property (min ${schema.minProperties})` }),
      );
    }
  }
  return fc.oneof(...options);
}

/** Every node of `value` under `schema` a defect can be put at (properties absent from the value too). */
function sites(
  schema: JsonSchema,
  value: Json | undefined,
  path: Path = [],
): { schema: JsonSchema; path: Path }[] {
  const here = [{ schema, path }];
  if (schema.type === 'object') {
    return [
      ...here,
      ...Object.entries(schema.properties ?? {}).flatMap(([key, part]) =>
        sites(part, isRecord(value) ? (value[key] as Json | undefined) : undefined, [...path, key]),
      ),
    ];
  }
  if (schema.type === 'array' && schema.items) {
    const items = Array.isArray(value) ? value : [];
    // An empty list still gets a defective first item.
    const indexes = items.length === 0 ? [0] : items.map((_, i) => i);
    return [...here, ...indexes.flatMap((i) => sites(schema.items!, items[i], [...path, i]))];
  }
  return here;
}

/** `valid` with exactly one schema violation somewhere in it, checked against the schema. */
export function defectiveValue(
  schema: JsonSchema,
  valid: Json,
  text: fc.Arbitrary<string>,
): fc.Arbitrary<Defect> {
  return fc
    .constantFrom(...sites(schema, valid))
    .chain((site) =>
      mutations(site.schema, site.path, getAt(valid, site.path), text).map((m) => ({ site, m })),
    )
    .map(({ site, m }) => ({ value: setAt(valid, site.path, m.replacement), what: m.what }))
    .filter((defect) => !conforms(schema, defect.value));
}

/** Paths (and schemas) of every string field of a schema, e.g. `['article', 'tagList', 0]`. */
export function stringFields(
  schema: JsonSchema,
  value: Json,
  path: Path = [],
): { path: Path; schema: JsonSchema }[] {
  if (stringParts(schema) || schema.anyOf?.some((part) => part.type === 'string')) {
    return typeof value === 'string' ? [{ path, schema }] : [];
  }
  if (schema.type === 'object' && isRecord(value)) {
    return Object.entries(schema.properties ?? {}).flatMap(([key, part]) =>
      value[key] === undefined ? [] : stringFields(part, value[key] as Json, [...path, key]),
    );
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    return value.flatMap((item, i) => stringFields(schema.items!, item, [...path, i]));
  }
  return [];
}

export { getAt, label, setAt };
