import { routes } from '@conduit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/helpers.js';
import { client } from '../../test/http.js';

let server: TestApi;

beforeAll(async () => {
  server = await startTestApi();
});
afterAll(() => server?.close());

describe('modules', () => {
  it('register every route of the shared contract under /api', () => {
    for (const route of Object.values(routes)) {
      expect(server.app.hasRoute({ method: route.method, url: `/api${route.path}` }), route.operationId).toBe(
        true,
      );
    }
  });

  it('publish every route with its schemas in the OpenAPI document', async () => {
    const result = await client(server.url).get<{
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>('/api/docs/json');
    expect(result.status).toBe(200);
    const operations = Object.values(result.body.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    for (const route of Object.values(routes))
      expect(operations, route.operationId).toContain(route.operationId);
    const createArticle = result.body.paths['/api/articles']?.post as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    expect(Object.keys(createArticle.responses)).toEqual(expect.arrayContaining(['201', '401', '422']));
    expect(createArticle.requestBody.content).toHaveProperty('application/json');
  });
});
