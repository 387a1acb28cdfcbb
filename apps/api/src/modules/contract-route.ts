import { ErrorResponse, NoContent, type RouteContract } from '@conduit/contracts';

type Part<R, K extends string> = R extends { readonly [P in K]: infer S } ? S : undefined;

type Responses<R extends RouteContract> = {
  [S in R['status']]: R extends { readonly response: infer T } ? T : typeof NoContent;
} & { [E in R['errors'][number] | 500 | 503]: typeof ErrorResponse };

/**
 * The Fastify method, URL and schemas of a route of the shared contract, so the API validates and
 * serialises exactly what the web client is typed against, and the OpenAPI document says the same.
 */
export function contractRoute<const R extends RouteContract>(route: R) {
  const response: Record<number, unknown> = { [route.status]: route.response ?? NoContent };
  for (const status of [...route.errors, 500, 503]) response[status] = ErrorResponse;
  const security = { required: [{ Token: [] }], optional: [{}, { Token: [] }], none: [] }[route.auth];
  return {
    method: route.method,
    url: route.path,
    schema: {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      security,
      // Absent parts are left out, not set to undefined, which Fastify reports as a malformed schema.
      ...(route.params && { params: route.params }),
      ...(route.querystring && { querystring: route.querystring }),
      ...(route.body && { body: route.body }),
      response,
    } as {
      operationId: string;
      tags: string[];
      summary: string;
      security: Record<string, string[]>[];
      params: Part<R, 'params'>;
      querystring: Part<R, 'querystring'>;
      body: Part<R, 'body'>;
      response: Responses<R>;
    },
  };
}
