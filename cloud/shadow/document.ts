/**
 * The shadow document and AWS IoT's rules for changing it, as pure functions: request
 * validation, merging an update (null deletes a key, objects merge, arrays and scalars
 * replace), per-leaf metadata timestamps, and the delta between desired and reported.
 */
import { shadowErrors } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Metadata mirrors the state: `{timestamp}` per leaf, arrays hold one entry per element. */
export type Metadata = { timestamp: number } | Metadata[] | { [key: string]: Metadata };

export interface ShadowState {
  desired?: JsonObject;
  reported?: JsonObject;
}

export interface ShadowDocument {
  state: ShadowState;
  metadata: { desired?: JsonObject; reported?: JsonObject };
}

export interface UpdateRequest {
  state: { desired?: JsonObject | null; reported?: JsonObject | null };
  clientToken?: string;
  version?: number;
}

/** Desired plus reported JSON may not exceed this many bytes (metadata excluded). */
export const MAX_STATE_BYTES = 8 * 1024;
/** Levels of nesting allowed inside desired or reported. */
export const MAX_DEPTH = 6;
export const MAX_CLIENT_TOKEN_BYTES = 64;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Decodes and parses a request payload: 415 if it is not UTF-8, 400 if not a JSON object. Empty means `{}`. */
export function parsePayload(payload: Uint8Array | string): JsonObject {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    throw shadowErrors.unsupportedEncoding();
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw shadowErrors.invalidJson();
  }
  if (!isObject(value)) throw shadowErrors.invalidJson();
  return value;
}

/** The clientToken of a request, if any; 400 if it is not a string of at most 64 bytes. */
export function clientTokenOf(request: JsonObject): string | undefined {
  const token = request.clientToken;
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || new TextEncoder().encode(token).length > MAX_CLIENT_TOKEN_BYTES) throw shadowErrors.invalidClientToken();
  return token;
}

/** Checks an update request against AWS's rules, in the order AWS reports them. */
export function validateUpdate(request: JsonObject): UpdateRequest {
  const clientToken = clientTokenOf(request);
  if (!('state' in request)) throw shadowErrors.missingState();
  const state = request.state;
  if (!isObject(state)) throw shadowErrors.stateNotObject();
  for (const key of Object.keys(state)) if (key !== 'desired' && key !== 'reported') throw shadowErrors.invalidNode();
  if (state.desired !== undefined && state.desired !== null && !isObject(state.desired)) throw shadowErrors.desiredNotObject();
  if (state.reported !== undefined && state.reported !== null && !isObject(state.reported)) throw shadowErrors.reportedNotObject();
  const version = request.version;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)) throw shadowErrors.invalidVersion();
  for (const section of [state.desired, state.reported]) {
    if (isObject(section)) checkSection(section, 1);
  }
  return {
    state: state as UpdateRequest['state'],
    ...(clientToken !== undefined && { clientToken }),
    ...(version !== undefined && { version }),
  };
}

/** Nesting depth and no nulls inside arrays (null means "delete" only as an object member). */
function checkSection(value: JsonObject | Json[], depth: number): void {
  if (depth > MAX_DEPTH) throw shadowErrors.tooDeep();
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    if (child === null && Array.isArray(value)) throw shadowErrors.invalidNode();
    if (typeof child === 'object' && child !== null) checkSection(child, depth + 1);
  }
}

/** Metadata for a value just written at `timestamp`. */
function stamp(value: Json, timestamp: number): Metadata {
  if (Array.isArray(value)) return value.map((v) => stamp(v, timestamp));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stamp(v, timestamp)]));
  return { timestamp };
}

/**
 * Merges `patch` into `target` (both plain objects), returning new objects for the state and
 * its metadata. Null deletes the key (and its metadata); an object merges into an object;
 * anything else replaces the value whole.
 */
function merge(target: JsonObject, meta: JsonObject, patch: JsonObject, timestamp: number): { state: JsonObject; metadata: JsonObject } {
  const state = { ...target };
  const metadata = { ...meta };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete state[key];
      delete metadata[key];
    } else if (isObject(value) && isObject(state[key])) {
      const merged = merge(state[key] as JsonObject, isObject(metadata[key]) ? (metadata[key] as JsonObject) : {}, value, timestamp);
      state[key] = merged.state;
      metadata[key] = merged.metadata;
    } else {
      state[key] = structuredClone(value);
      metadata[key] = stamp(value, timestamp) as Json;
    }
  }
  return { state, metadata };
}

/** The document after an update; a section that ends up empty (or is set to null) is dropped. */
export function applyUpdate(document: ShadowDocument, update: UpdateRequest, timestamp: number): ShadowDocument {
  const next: ShadowDocument = { state: { ...document.state }, metadata: { ...document.metadata } };
  for (const section of ['desired', 'reported'] as const) {
    const patch = update.state[section];
    if (patch === undefined) continue;
    const merged = patch === null ? undefined : merge(document.state[section] ?? {}, document.metadata[section] ?? {}, patch, timestamp);
    if (merged === undefined || Object.keys(merged.state).length === 0) {
      delete next.state[section];
      delete next.metadata[section];
    } else {
      next.state[section] = merged.state;
      next.metadata[section] = merged.metadata;
    }
  }
  return next;
}

/** Metadata stamped for exactly what a request sent (nulls included), for the accepted message. */
export function requestMetadata(update: UpdateRequest, timestamp: number): { desired?: Json; reported?: Json } {
  const metadata: { desired?: Json; reported?: Json } = {};
  for (const section of ['desired', 'reported'] as const) {
    const patch = update.state[section];
    if (patch !== undefined) metadata[section] = patch === null ? null : (stampWithNulls(patch, timestamp) as Json);
  }
  return metadata;
}

function stampWithNulls(value: JsonObject, timestamp: number): Metadata {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? stampWithNulls(v, timestamp) : stamp(v ?? 0, timestamp)]));
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((v, i) => deepEqual(v, (b as Json[])[i]));
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual((a as JsonObject)[k], (b as JsonObject)[k]));
}

/**
 * Desired keys missing from or different in reported; nested objects keep their path, arrays
 * compare whole; reported-only keys are left out. Returns the delta and its metadata (taken
 * from desired's), or undefined when reported matches desired.
 */
export function delta(document: ShadowDocument): { state: JsonObject; metadata: JsonObject } | undefined {
  const found = diff(document.state.desired ?? {}, document.state.reported ?? {}, document.metadata.desired ?? {});
  return Object.keys(found.state).length > 0 ? found : undefined;
}

function diff(desired: JsonObject, reported: JsonObject, metadata: JsonObject): { state: JsonObject; metadata: JsonObject } {
  const state: JsonObject = {};
  const meta: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    const have = reported[key];
    if (isObject(want) && isObject(have)) {
      const inner = diff(want, have, isObject(metadata[key]) ? (metadata[key] as JsonObject) : {});
      if (Object.keys(inner.state).length > 0) {
        state[key] = inner.state;
        meta[key] = inner.metadata;
      }
    } else if (!deepEqual(want, have)) {
      state[key] = want;
      if (metadata[key] !== undefined) meta[key] = metadata[key]!;
    }
  }
  return { state, metadata: meta };
}

/** Bytes of desired plus reported, as checked against MAX_STATE_BYTES. */
export function stateBytes(state: ShadowState): number {
  const size = (section?: JsonObject) => (section === undefined ? 0 : Buffer.byteLength(JSON.stringify(section)));
  return size(state.desired) + size(state.reported);
}
