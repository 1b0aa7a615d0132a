/**
 * The API's OpenAPI 3.1 document, generated from the routes' zod schemas (zod 4's JSON Schema
 * output is draft 2020-12, which OpenAPI 3.1 uses as is). Request schemas are described as
 * accepted (`io: 'input'`), answers as produced.
 */
import { z } from 'zod';
import { successStatus, type Route } from './route.js';
import { apiError } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

function parameters(route: Route) {
  const list: object[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (schema === undefined) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      const optional = (field as z.ZodType).safeParse(undefined).success;
      list.push({ name, in: where, required: where === 'path' || !optional, schema: jsonSchema(field as z.ZodType, 'input') });
    }
  }
  return list;
}

function operation(route: Route) {
  const status = successStatus(route);
  const error = { description: 'refused', content: json(jsonSchema(route.errorResponse ?? apiError, 'output')) };
  let requestBody: object | undefined;
  if (route.rawBody) {
    requestBody = { required: true, description: route.rawBody.description, content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, {}])) };
  } else if (route.body) {
    requestBody = { required: !route.body.safeParse(undefined).success, content: json(jsonSchema(route.body, 'input')) };
  }
  return {
    operationId: route.operation,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route),
    ...(requestBody && { requestBody }),
    responses: {
      [status]: { description: 'done', ...(route.response && status !== 204 && { content: json(jsonSchema(route.response, 'output')) }) },
      '4XX': error,
    },
  };
}

export function openApiDocument(routes: readonly Route[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'mote cloud',
      version: '1',
      description: 'Registry, certificates, device tokens, policies and Device Shadows of a mote cloud. Every operation but this document needs the admin token as `Authorization: Bearer <token>`.',
    },
    security: [{ adminToken: [] }],
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    paths: { '/openapi.json': { get: { operationId: 'GetOpenApiDocument', summary: 'This document.', security: [], responses: { 200: { description: 'the OpenAPI document' } } } }, ...paths },
  };
}
