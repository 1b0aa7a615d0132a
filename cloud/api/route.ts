/**
 * One HTTP API operation as data: method, path, zod schemas for its path parameters, query and
 * body, the schema of its answer, and the handler. The server (server.ts) validates requests
 * with these schemas and the OpenAPI document (openapi.ts) is generated from the same ones, so
 * what is documented is what is enforced.
 */
import type { z } from 'zod';
import type { MessageBus } from '../bus.js';
import type { Defender } from '../defender/defender.js';
import type { EventsService } from '../events/service.js';
import type { CertificateAuthority } from '../identity/ca.js';
import type { JobsService } from '../jobs/service.js';
import type { OtaService } from '../ota/service.js';
import type { Policies } from '../policy/policies.js';
import type { ProvisioningService } from '../provisioning/service.js';
import type { ProvisioningTemplates } from '../provisioning/templates.js';
import type { Registry } from '../registry/registry.js';
import type { RulesEngine } from '../rules/engine.js';
import type { ShadowService } from '../shadow/service.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { Database } from '../store/database.js';

/** What handlers work with. */
export interface ApiServices {
  db: Database;
  registry: Registry;
  policies: Policies;
  ca: CertificateAuthority;
  shadows: ShadowService;
  templates: ProvisioningTemplates;
  provisioning: ProvisioningService;
  /** Where shadow changes made over HTTP are published, as AWS does, so devices see them. */
  bus: MessageBus;
  /** Closes the live connections of a principal that is no longer valid (revoked or deactivated). */
  disconnect?: (principal: string, reason: string) => void;
  telemetry: TelemetryStore;
  rules: RulesEngine;
  /** Event detectors and alarms. */
  events: EventsService;
  jobs: JobsService;
  ota: OtaService;
  defender: Defender;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Shape = z.ZodObject;
type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

/** An answer with a status other than the route's (the shadow REST form answers AWS's error codes). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export interface RouteSpec<P extends Shape | undefined, Q extends Shape | undefined, B extends z.ZodType | undefined> {
  /** AWS-style operation name, the OpenAPI operationId. */
  operation: string;
  method: Method;
  /** OpenAPI form: `/things/{thingName}`. */
  path: string;
  tag: string;
  summary: string;
  params?: P;
  query?: Q;
  /** JSON body schema. */
  body?: B;
  /** Take the body as raw bytes instead (the handler parses it), up to this many bytes. */
  rawBody?: { limit: number; contentTypes: string[]; description: string };
  /** Status of success: 200 by default, 201 for creation; 204 (no body) when there is no `response`. */
  status?: number;
  response?: z.ZodType;
  /** Schema of its error answers when they are not the API's usual `{error, message}`. */
  errorResponse?: z.ZodType;
  handle(input: { params: Output<P>; query: Output<Q>; body: Output<B> | (B extends undefined ? Buffer | undefined : never) }, services: ApiServices): Promise<unknown>;
}

export type Route = RouteSpec<Shape | undefined, Shape | undefined, z.ZodType | undefined>;

/** Declares a route with its handler's input typed by its schemas. */
export function route<P extends Shape | undefined = undefined, Q extends Shape | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): Route {
  return spec as unknown as Route;
}

/** The success status of a route. */
export const successStatus = (r: Route): number => r.status ?? (r.response ? 200 : 204);
