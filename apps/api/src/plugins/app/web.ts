import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { WEB_CONTENT_SECURITY_POLICY } from '@conduit/contracts';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

const isApi = (url: string) => url === '/api' || url.startsWith('/api/');

/**
 * Local one-origin serving of the built SPA (production uses nginx behind the same path routing):
 * `/api/*` belongs to the API, everything else is a file of the build or the SPA's index.html.
 */
export default fp(
  async (app) => {
    const root = app.config.WEB_ROOT;
    if (!root) return;
    await access(join(root, 'index.html')).catch(() => {
      throw new Error(
        `WEB_ROOT ${root} has no index.html: build the web tier first (npm run build -w @conduit/web)`,
      );
    });
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      // The cache policy is ours (below): send's default `max-age=0` would otherwise win over it.
      cacheControl: false,
      setHeaders(res, path) {
        res.setHeader(
          'cache-control',
          path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    app.addHook('onSend', async (request, reply) => {
      if (isApi(request.url)) return;
      reply.header('content-security-policy', WEB_CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
    });
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      if (isApi(request.url)) return reply.callNotFound();
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  },
  { name: 'web', dependencies: ['config'] },
);
