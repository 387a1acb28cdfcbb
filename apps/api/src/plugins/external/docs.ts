import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

// Registered before the routes so that every route's schemas end up in the served OpenAPI document.
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Conduit API',
          description: 'The RealWorld Conduit API',
          version: app.config.APP_VERSION,
        },
        components: {
          securitySchemes: {
            Token: {
              type: 'apiKey',
              in: 'header',
              name: 'Authorization',
              description: 'Prefix the JWT with "Token ", e.g. "Token eyJ..."',
            },
          },
        },
      },
      hideUntagged: false,
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  },
  { name: 'docs', dependencies: ['config'] },
);
