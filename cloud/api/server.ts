/**
 * The HTTP API: fastify serving the routes in routes/, each request's path parameters, query
 * and body validated by the route's zod schemas before its handler runs, and the OpenAPI
 * document generated from the same schemas at `/openapi.json` (the only route that needs no
 * admin token).
 *
 * Every refusal is a 4xx `{error, message, issues?}`: validation problems list each bad field
 * by path; malformed JSON, a body over the limit, or an unsupported content type are refused by
 * fastify before any handler runs. Services write in transactions, so a refused request leaves
 * nothing behind. Anything else is a 500 without details, reported through `onError`.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { CloudError, invalid } from '../errors.js';
import type { AdminToken } from './admin-token.js';
import { openApiDocument } from './openapi.js';
import { Reply, successStatus, type ApiServices, type Route } from './route.js';
import { defenderRoutes } from './routes/defender.js';
import { eventRoutes } from './routes/events.js';
import { jobRoutes } from './routes/jobs.js';
import { otaRoutes } from './routes/ota.js';
import { policyRoutes } from './routes/policies.js';
import { principalRoutes } from './routes/principals.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { ruleRoutes } from './routes/rules.js';
import { searchRoutes } from './routes/search.js';
import { shadowRoutes } from './routes/shadows.js';
import { telemetryRoutes } from './routes/telemetry.js';
import { thingRoutes } from './routes/things.js';
import type { ApiError } from './schemas.js';

export const apiRoutes: readonly Route[] = [...thingRoutes, ...principalRoutes, ...policyRoutes, ...shadowRoutes, ...telemetryRoutes, ...provisioningRoutes, ...ruleRoutes, ...searchRoutes, ...jobRoutes, ...otaRoutes, ...defenderRoutes, ...eventRoutes];

/** Largest JSON body a route with a schema accepts (raw-body routes set their own). */
export const JSON_BODY_LIMIT = 256 * 1024;

export interface ApiOptions {
  services: ApiServices;
  adminToken: AdminToken;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** 0 picks a free port (default 8080). */
  port?: number;
  /** Failures that became a 500. */
  onError?: (error: Error) => void;
  /**
   * Served next to the API by the same server (the dashboard). Their routes need the admin
   * token too, unless they declare `config: { public: true }` (pages that carry no data).
   */
  extensions?: ((app: FastifyInstance) => Promise<void>)[];
}

export interface Api {
  url: string;
  close(): Promise<void>;
}

class ValidationFailure extends CloudError {
  constructor(readonly issues: { path: string; message: string }[]) {
    super('InvalidRequestException', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

const errorNames: Record<number, string> = {
  401: 'UnauthorizedException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  413: 'PayloadTooLargeException',
  415: 'UnsupportedMediaTypeException',
};

/** `/things/{thingName}` in fastify's form, `/things/:thingName`. */
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function validate(route: Route, request: FastifyRequest) {
  const issues: { path: string; message: string }[] = [];
  const parse = (where: string, schema: Route['params' | 'query' | 'body'], value: unknown): unknown => {
    if (schema === undefined) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) issues.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
    return undefined;
  };
  const input = {
    params: parse('path', route.params, request.params),
    query: parse('query', route.query, request.query),
    body: route.rawBody ? request.body : parse('body', route.body, request.body),
  };
  if (issues.length > 0) throw new ValidationFailure(issues);
  return input as Parameters<Route['handle']>[0];
}

/** Fastify's refusals, made precise: which content types a route takes, how large a body may be. */
function fastifyRefusal(status: number, message: string, request: FastifyRequest): string {
  const accepts = (request.routeOptions.config as { accepts?: string[] }).accepts;
  if (status === 415 && accepts) return `content type '${request.headers['content-type'] ?? ''}' is not accepted here: send ${accepts.join(' or ')}`;
  if (status === 413) return `body is larger than ${request.routeOptions.bodyLimit ?? JSON_BODY_LIMIT} bytes`;
  return message;
}

function addRoute(app: FastifyInstance, route: Route, services: ApiServices): void {
  app.route({
    method: route.method,
    url: fastifyPath(route.path),
    ...(route.rawBody && { bodyLimit: route.rawBody.limit }),
    config: { accepts: route.rawBody?.contentTypes ?? ['application/json'] },
    handler: async (request, reply) => {
      const result = await route.handle(validate(route, request), services);
      if (result instanceof Reply) return reply.code(result.status).send(result.body);
      const status = successStatus(route);
      return status === 204 ? reply.code(204).send() : reply.code(status).send(result);
    },
  });
}

export async function startApi(options: ApiOptions): Promise<Api> {
  const host = options.host ?? '127.0.0.1';
  const app = Fastify({ bodyLimit: JSON_BODY_LIMIT, forceCloseConnections: true, logger: false });
  const document = openApiDocument(apiRoutes);

  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && request.url === '/openapi.json') return;
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public === true) return;
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (token === undefined || !(await options.adminToken.verify(token))) {
      throw new CloudError('UnauthorizedException', 'this API needs the admin token: send Authorization: Bearer <token> (mote cloud admin-token issues a new one)');
    }
  });

  app.setErrorHandler((error: FastifyError | CloudError, request, reply) => {
    let status: number;
    let body: ApiError;
    if (error instanceof CloudError) {
      status = error.status;
      body = { error: error.code, message: error.message, ...(error instanceof ValidationFailure && { issues: error.issues }) };
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body = { error: errorNames[status] ?? 'InvalidRequestException', message: fastifyRefusal(status, error.message, request) };
    } else {
      options.onError?.(error);
      status = 500;
      body = { error: 'InternalFailureException', message: 'internal failure' };
    }
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'ResourceNotFoundException', message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ApiError));

  // JSON bodies: JSON.parse's own message says where the text goes wrong; `__proto__` keys,
  // which could reach an object's prototype through later assignments, are refused.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string, (key, value: unknown) => {
        if (key === '__proto__') throw invalid('body: the key __proto__ is not allowed');
        return value;
      }));
    } catch (error) {
      done(error instanceof CloudError ? error : invalid(`body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.get('/openapi.json', async () => document);
  for (const route of apiRoutes.filter((r) => !r.rawBody)) addRoute(app, route, options.services);
  // Raw-body routes each get a scope whose only body parser hands over the bytes of their content types.
  for (const route of apiRoutes.filter((r) => r.rawBody)) {
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(route.rawBody!.contentTypes, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      addRoute(scope, route, options.services);
    });
  }

  for (const extend of options.extensions ?? []) await extend(app);

  await app.listen({ host, port: options.port ?? 8080 });
  const { port } = app.server.address() as { port: number };
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
