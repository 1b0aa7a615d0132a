/**
 * Policy evaluation as AWS IoT does it: an explicit Deny wins, otherwise any Allow grants,
 * otherwise the request is denied. Resources match with `*` (any run of characters) and `?`
 * (one character); MQTT's `+` and `#` are literal. Policy variables are replaced by the
 * connection's values, which match literally; a statement whose variable has no value (no
 * thing attached, unknown attribute) does not apply.
 */
import type { PolicyAction, PolicyDocument } from './document.js';

/** What policy variables resolve to for one connection. */
export interface PolicyContext {
  clientId: string;
  /** The thing whose name equals the client id and is attached to the connection's principal. */
  thing?: { thingName: string; thingTypeName?: string; attributes: Record<string, string> };
}

const variable = /\$\{(iot:[^}]+)\}/g;

function resolve(name: string, context: PolicyContext): string | undefined {
  if (name === 'iot:ClientId') return context.clientId;
  if (name === 'iot:Connection.Thing.IsAttached') return String(context.thing !== undefined);
  const thing = context.thing;
  if (thing === undefined) return undefined;
  if (name === 'iot:Connection.Thing.ThingName') return thing.thingName;
  if (name === 'iot:Connection.Thing.ThingTypeName') return thing.thingTypeName;
  const attribute = /^iot:Connection\.Thing\.Attributes\[(.+)\]$/.exec(name);
  return attribute ? thing.attributes[attribute[1]!] : undefined;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const globToRegex = (text: string) => escape(text).replace(/\\\*/g, '.*').replace(/\\\?/g, '.');

/** The resource pattern as a regular expression for this connection, or undefined if a variable has no value. */
function resourcePattern(resource: string, context: PolicyContext): RegExp | undefined {
  const bare = resource.replace(/^arn:[^:]*:iot:[^:]*:[^:]*:/, '');
  let source = '';
  let last = 0;
  for (const match of bare.matchAll(variable)) {
    const value = resolve(match[1]!, context);
    if (value === undefined) return undefined;
    source += globToRegex(bare.slice(last, match.index)) + escape(value);
    last = match.index! + match[0].length;
  }
  source += globToRegex(bare.slice(last));
  return new RegExp(`^${source}$`, 's');
}

const resourceKind: Record<PolicyAction, string> = { 'iot:Connect': 'client', 'iot:Publish': 'topic', 'iot:Receive': 'topic', 'iot:Subscribe': 'topicfilter' };

/** Whether `documents` together allow `action` on `target` (a client id, topic or topic filter). */
export function isAllowed(documents: readonly PolicyDocument[], action: PolicyAction, target: string, context: PolicyContext): boolean {
  const resource = `${resourceKind[action]}/${target}`;
  let allowed = false;
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!statement.Action.some((a) => a === action || a === 'iot:*')) continue;
      if (!statement.Resource.some((r) => resourcePattern(r, context)?.test(resource))) continue;
      if (statement.Effect === 'Deny') return false;
      allowed = true;
    }
  }
  return allowed;
}
