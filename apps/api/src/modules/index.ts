import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import type { TSchema } from 'typebox';
import { HttpError } from '../plugins/app/errors.js';
import articles from './articles/routes.js';
import comments from './comments/routes.js';
import profiles from './profiles/routes.js';
import tags from './tags/routes.js';
import users from './users/routes.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Only `\uD800`-`\uDFFF` escapes can put a surrogate into a parsed string: most bodies skip the walk.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
// With the `u` flag a well-formed pair is one code point outside this range: only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The field (last named key) of the first string holding a lone surrogate, or undefined. */
function loneSurrogateField(value: unknown, field = 'body'): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? field : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = loneSurrogateField(item, field);
      if (found !== undefined) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = loneSurrogateField(item, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * JSON bodies for the API routes. Unlike Fastify's default, an empty body with a JSON content type is no
 * body at all (clients send the header on every request, also on POST /follow and /favorite), and
 * prototype-poisoning keys are refused rather than stripped. Text that UTF-8 cannot hold is refused too:
 * bytes that are not UTF-8, and lone surrogates (`"\uD800"`, valid JSON escapes), would otherwise be
 * stored as U+FFFD, answered with a 2xx and read back different from what was sent.
 */
function jsonBodies(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => {
    let body: string;
    let parsed: unknown;
    try {
      body = utf8.decode(raw as Buffer);
      if (body.trim() === '') return done(null, undefined);
      parsed = secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(new HttpError(400, 'body', 'is not valid JSON'), undefined);
    }
    const field = SURROGATE_ESCAPE.test(body) ? loneSurrogateField(parsed) : undefined;
    if (field !== undefined) return done(new HttpError(422, field, 'is not valid Unicode'), undefined);
    done(null, parsed);
  });
}

// Digits only: no sign, no exponent, no hexadecimal, no fraction, no spaces, no `true`.
const PLAIN_INTEGER = /^\d+$/;

/**
 * TypeBox validation, with integers in query strings and paths read strictly. TypeBox's conversion
 * accepts whatever `Number()` does (`0x10`, `1e3`, ` 5`, `true`), so a value that is not written as plain
 * digits is refused before it, naming the parameter; range checks (`maximum`) then apply as declared.
 */
const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const validate = TypeBoxValidatorCompiler(route);
  if (route.httpPart !== 'querystring' && route.httpPart !== 'params') return validate;
  const properties = (route.schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const integers = Object.keys(properties).filter((name) => properties[name]?.type === 'integer');
  if (integers.length === 0) return validate;
  return (value) => {
    const input = (value ?? {}) as Record<string, unknown>;
    const bad = integers.find((name) => {
      const raw = input[name];
      return raw !== undefined && (typeof raw !== 'string' || !PLAIN_INTEGER.test(raw));
    });
    if (bad === undefined) return validate(value);
    const issue: FastifySchemaValidationError = {
      keyword: 'type',
      instancePath: `/${bad}`,
      schemaPath: `#/properties/${bad}/type`,
      params: { type: 'integer' },
      message: 'must be an integer',
    };
    return { error: [issue] };
  };
};

/** Every RealWorld module, under /api. */
export default fp(
  async (app) => {
    await app.register(
      async (api) => {
        // TypeBox validation: bodies are checked as sent (null is not coerced to "" nor a string to a list,
        // so `{"tagList": null}` is a 422), while query strings and path parameters are converted to numbers
        // when they are written as plain digits.
        api.setValidatorCompiler(strictValidatorCompiler);
        jsonBodies(api);
        await api.register(users);
        await api.register(profiles);
        await api.register(articles);
        await api.register(comments);
        await api.register(tags);
      },
      { prefix: '/api' },
    );
  },
  { name: 'modules', dependencies: ['db', 'auth', 'errors', 'rate-limits'] },
);
