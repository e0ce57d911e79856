/**
 * The OpenAPI 3.1 description of the API, generated from the zod schemas of the declared
 * routes (`z.toJSONSchema`), so the document cannot drift from what the server validates.
 *
 * @example
 * const doc = buildOpenApi(ROUTES); // serve as JSON at /api/docs
 */
import { z } from 'zod';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(s: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function errorSchema(): JsonSchema {
  return schemaOf(
    z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
    'output',
  );
}

/** Builds the OpenAPI document for the given routes. */
export function buildOpenApi(routes: readonly AnyRoute[], version = '0.1.0'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const openPath = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: JsonSchema[] = [];
    for (const [name, s] of Object.entries(r.params.shape)) {
      parameters.push({ name, in: 'path', required: true, schema: schemaOf(s, 'input') });
    }
    for (const [name, s] of Object.entries(r.query.shape)) {
      const schema = schemaOf(s, 'input');
      const required = !z.safeParse(s, undefined).success;
      parameters.push({
        name,
        in: 'query',
        required,
        ...(typeof schema['description'] === 'string' ? { description: schema['description'] } : {}),
        schema,
      });
    }
    paths[openPath] = {
      ...(paths[openPath] ?? {}),
      [r.method.toLowerCase()]: {
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        tags: r.tags,
        'x-jointly-action': r.action,
        security: [{ bearer: [] }],
        parameters,
        responses: {
          '200': {
            description: 'OK',
            content: {
              'application/json': { schema: schemaOf(r.response, 'output') },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': { description: 'Bad parameter', content: { 'application/json': { schema: errorSchema() } } },
          '401': { description: 'Missing or unknown token', content: { 'application/json': { schema: errorSchema() } } },
          '403': { description: 'Not allowed (role or another partner)', content: { 'application/json': { schema: errorSchema() } } },
          '404': { description: 'Not found or no data yet', content: { 'application/json': { schema: errorSchema() } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'jointly API',
      version,
      description:
        'Partner attribution, incrementality, customers, payouts and data trust. Money is a decimal ' +
        'string in the base currency. Lists are paginated with limit/offset and report `total`. ' +
        'Add `format=csv` (or `Accept: text/csv`) for CSV.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
