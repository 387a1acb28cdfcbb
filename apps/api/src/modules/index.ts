import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { HttpError } from '../plugins/app/errors.js';
import articles from './articles/routes.js';
import comments from './comments/routes.js';
import profiles from './profiles/routes.js';
import tags from './tags/routes.js';
import users from './users/routes.js';

/**
 * JSON bodies for the API routes. Unlike Fastify's default, an empty body with a JSON content type is no
 * body at all (clients send the header on every request, also on POST /follow and /favorite), and
 * prototype-poisoning keys are refused rather than stripped.
 */
function jsonBodies(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = typeof text === 'string' ? text : text.toString('utf8');
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new HttpError(400, 'body', 'is not valid JSON'), undefined);
    }
  });
}

/** Every RealWorld module, under /api. */
export default fp(
  async (app) => {
    await app.register(
      async (api) => {
        // TypeBox validation: bodies are checked as sent (null is not coerced to "" nor a string to a list,
        // so `{"tagList": null}` is a 422), while query strings and path parameters are converted to numbers.
        api.setValidatorCompiler(TypeBoxValidatorCompiler);
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
  { name: 'modules', dependencies: ['db', 'auth', 'errors'] },
);
