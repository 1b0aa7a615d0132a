/**
 * Provisioning templates in AWS IoT's form: declared Parameters, optional Mappings, Resources
 * (one AWS::IoT::Thing, AWS::IoT::Certificate, AWS::IoT::Policy each at most) and a
 * DeviceConfiguration handed back to the device. Values are strings or intrinsic functions:
 * `Ref`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Sub` and `Fn::FindInMap`. `Fn::If` and
 * conditions, and pre-provisioning hooks, are not supported; a template using them is refused
 * when it is created.
 *
 *   {"Parameters": {"SerialNumber": {"Type": "String"}},
 *    "Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Fn::Join": ["", ["lamp-", {"Ref": "SerialNumber"}]]}}},
 *                  "certificate": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}},
 *                  "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "lamps"}}}}
 */
import { z } from 'zod';

/** The service's own parameter: the id of the certificate being provisioned. */
export const CERTIFICATE_ID_PARAMETER = 'AWS::IoT::Certificate::Id';

const functions = ['Ref', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Fn::FindInMap'] as const;

/** A string or one intrinsic function (checked in depth by `checkTemplate`). */
const value = z.union([z.string(), z.record(z.string(), z.unknown()).refine((v) => Object.keys(v).length === 1, 'an intrinsic function is an object with one key')]);
type Value = z.infer<typeof value>;

const override = <T extends string>(...modes: [T, ...T[]]) => z.enum(modes).optional();

const thingResource = z.strictObject({
  Type: z.literal('AWS::IoT::Thing'),
  Properties: z.strictObject({
    ThingName: value,
    ThingTypeName: value.optional(),
    AttributePayload: z.record(z.string(), value).optional(),
    ThingGroups: z.array(value).optional(),
  }),
  /** What to do with a thing that exists already (default: leave that part as it is). */
  OverrideSettings: z.strictObject({
    AttributePayload: override('MERGE', 'REPLACE', 'DO_NOTHING', 'FAIL'),
    ThingTypeName: override('REPLACE', 'DO_NOTHING', 'FAIL'),
    ThingGroups: override('MERGE', 'DO_NOTHING', 'FAIL'),
  }).optional(),
});

const certificateResource = z.strictObject({
  Type: z.literal('AWS::IoT::Certificate'),
  Properties: z.strictObject({ CertificateId: value, Status: value.optional() }),
});

const policyResource = z.strictObject({
  Type: z.literal('AWS::IoT::Policy'),
  Properties: z.union([z.strictObject({ PolicyName: value }), z.strictObject({ PolicyDocument: value })]),
});

export const templateBody = z.strictObject({
  Parameters: z.record(z.string().min(1), z.strictObject({ Type: z.literal('String'), Default: z.string().optional(), Description: z.string().optional() })).optional(),
  Mappings: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.string()))).optional(),
  Resources: z.record(z.string(), z.discriminatedUnion('Type', [thingResource, certificateResource, policyResource])),
  DeviceConfiguration: z.record(z.string(), value).optional(),
});
export type TemplateBody = z.infer<typeof templateBody>;

/** A template's refusal at RegisterThing: AWS's errorCode and message. */
export class TemplateError extends Error {
  constructor(
    readonly errorCode: 'InvalidParameters' | 'InvalidTemplate',
    message: string,
  ) {
    super(message);
  }
}

/** What RegisterThing does, with every value resolved. */
export interface Plan {
  thing?: {
    thingName: string;
    thingTypeName?: string;
    attributes: Record<string, string>;
    groups: string[];
    overrides: NonNullable<z.infer<typeof thingResource>['OverrideSettings']>;
  };
  /** Status the certificate gets (ACTIVE unless the template says otherwise). */
  certificateStatus: 'ACTIVE' | 'INACTIVE';
  policy?: { policyName: string } | { policyDocument: string };
  deviceConfiguration: Record<string, string>;
}

type Resolved = string | string[];

function evaluate(node: unknown, parameters: Record<string, string>, body: TemplateBody): Resolved {
  if (typeof node === 'string') return node;
  const text = (n: unknown) => {
    const v = evaluate(n, parameters, body);
    if (typeof v !== 'string') throw new TemplateError('InvalidTemplate', 'a list was used where a string is expected');
    return v;
  };
  const list = (n: unknown): string[] => {
    if (Array.isArray(n)) return n.map(text);
    const v = evaluate(n, parameters, body);
    return typeof v === 'string' ? [v] : v;
  };
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new TemplateError('InvalidTemplate', `not a string or an intrinsic function: ${JSON.stringify(node)}`);
  const [[name, args]] = Object.entries(node) as [[string, unknown]];
  const arity = (n: number) => {
    if (!Array.isArray(args) || args.length !== n) throw new TemplateError('InvalidTemplate', `${name} takes a list of ${n}`);
    return args as unknown[];
  };
  switch (name) {
    case 'Ref': {
      const value = parameters[text(args)];
      if (value === undefined) throw new TemplateError('InvalidParameters', `Missing parameter: ${text(args)}`);
      return value;
    }
    case 'Fn::Join': {
      const [separator, items] = arity(2);
      return list(items).join(text(separator));
    }
    case 'Fn::Select': {
      const [index, items] = arity(2);
      const chosen = list(items)[Number(text(index))];
      if (chosen === undefined) throw new TemplateError('InvalidParameters', `Fn::Select index ${text(index)} is outside the list`);
      return chosen;
    }
    case 'Fn::Split': {
      const [separator, source] = arity(2);
      return text(source).split(text(separator));
    }
    case 'Fn::Sub':
      return text(args).replace(/\$\{([^}]+)\}/g, (_, ref: string) => text({ Ref: ref }));
    case 'Fn::FindInMap': {
      const [map, first, second] = arity(3).map(text);
      const found = body.Mappings?.[map!]?.[first!]?.[second!];
      if (found === undefined) throw new TemplateError('InvalidParameters', `Fn::FindInMap: no ${map}.${first}.${second}`);
      return found;
    }
    default:
      throw new TemplateError('InvalidTemplate', `unsupported function ${name}`);
  }
}

const isFunction = (node: object) => {
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
};

/** Every function name and parameter reference inside properties, lists and maps of values. */
function* uses(node: unknown): Generator<{ fn: string; ref?: string }> {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) yield* uses(item);
    return;
  }
  if (!isFunction(node)) {
    for (const value of Object.values(node)) yield* uses(value);
    return;
  }
  const [[fn, args]] = Object.entries(node) as [[string, unknown]];
  yield { fn, ...(fn === 'Ref' && typeof args === 'string' && { ref: args }) };
  if (fn === 'Fn::Sub' && typeof args === 'string') for (const [, ref] of args.matchAll(/\$\{([^}]+)\}/g)) yield { fn: 'Ref', ref: ref! };
  yield* uses(args);
}

/** Problems of a parsed template that the schema cannot see, as `path: message` lines. */
export function checkTemplate(body: TemplateBody): string[] {
  const problems: string[] = [];
  const declared = new Set([...Object.keys(body.Parameters ?? {}), CERTIFICATE_ID_PARAMETER]);
  const counts = new Map<string, number>();
  for (const [key, resource] of Object.entries(body.Resources)) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
    for (const use of uses(resource.Properties)) {
      if (!(functions as readonly string[]).includes(use.fn)) problems.push(`Resources.${key}: unsupported function ${use.fn}`);
      if (use.ref !== undefined && !declared.has(use.ref)) problems.push(`Resources.${key}: Ref to undeclared parameter ${use.ref}`);
    }
  }
  for (const use of uses(body.DeviceConfiguration)) {
    if (!(functions as readonly string[]).includes(use.fn)) problems.push(`DeviceConfiguration: unsupported function ${use.fn}`);
    if (use.ref !== undefined && !declared.has(use.ref)) problems.push(`DeviceConfiguration: Ref to undeclared parameter ${use.ref}`);
  }
  for (const [type, n] of counts) if (n > 1) problems.push(`Resources: at most one ${type}`);
  if (!counts.has('AWS::IoT::Thing')) problems.push('Resources: a template needs an AWS::IoT::Thing');
  return problems;
}

/** Resolves a checked template for one RegisterThing call. */
export function planRegistration(body: TemplateBody, given: Record<string, string>, certificateId: string): Plan {
  const parameters: Record<string, string> = { [CERTIFICATE_ID_PARAMETER]: certificateId };
  for (const [name, declaration] of Object.entries(body.Parameters ?? {})) {
    const value = given[name] ?? declaration.Default;
    if (value === undefined) throw new TemplateError('InvalidParameters', `Missing parameter: ${name}`);
    parameters[name] = value;
  }
  const text = (node: Value) => {
    const v = evaluate(node, parameters, body);
    if (typeof v !== 'string') throw new TemplateError('InvalidTemplate', 'a list was used where a string is expected');
    return v;
  };
  const plan: Plan = { certificateStatus: 'ACTIVE', deviceConfiguration: {} };
  for (const resource of Object.values(body.Resources)) {
    if (resource.Type === 'AWS::IoT::Thing') {
      const p = resource.Properties;
      plan.thing = {
        thingName: text(p.ThingName),
        ...(p.ThingTypeName !== undefined && { thingTypeName: text(p.ThingTypeName) }),
        attributes: Object.fromEntries(Object.entries(p.AttributePayload ?? {}).map(([k, v]) => [k, text(v)])),
        groups: (p.ThingGroups ?? []).map(text),
        overrides: resource.OverrideSettings ?? {},
      };
    } else if (resource.Type === 'AWS::IoT::Certificate') {
      if (text(resource.Properties.CertificateId) !== certificateId) throw new TemplateError('InvalidTemplate', `the certificate resource must name the certificate being provisioned (Ref ${CERTIFICATE_ID_PARAMETER})`);
      const status = resource.Properties.Status === undefined ? 'ACTIVE' : text(resource.Properties.Status).toUpperCase();
      if (status !== 'ACTIVE' && status !== 'INACTIVE') throw new TemplateError('InvalidTemplate', `certificate Status must be Active or Inactive, not ${status}`);
      plan.certificateStatus = status;
    } else {
      const p = resource.Properties;
      plan.policy = 'PolicyName' in p ? { policyName: text(p.PolicyName) } : { policyDocument: text(p.PolicyDocument) };
    }
  }
  for (const [key, node] of Object.entries(body.DeviceConfiguration ?? {})) plan.deviceConfiguration[key] = text(node);
  return plan;
}
