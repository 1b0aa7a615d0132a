/**
 * What the host does when a device test calls `signal(name, data)` (firmware/test/runner.ts):
 * the cloud-side half of SDK↔cloud tests. An action that throws fails the test that signalled,
 * with the action's message. Host-side.
 */
import type { Cloud } from '../../../cloud/cloud.js';

export interface ActionContext {
  cloud: Cloud | undefined;
  /** The thing of the device that signalled. */
  thing: string;
}

export type Action = (context: ActionContext, data: unknown) => Promise<void>;

const CHECK_MS = 5000;

function needCloud(context: ActionContext): Cloud {
  if (!context.cloud) throw new Error('this suite has no cloud (set "cloud": true in suite.json)');
  return context.cloud;
}

/** Whether `actual` has every key of `expected` with an equal value (recursively for objects). */
export function includes(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) return JSON.stringify(actual) === JSON.stringify(expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([key, value]) => includes((actual as Record<string, unknown>)[key], value));
}

/** Polls `check` (true: done) until it holds or CHECK_MS passes; then throws `failure()`. */
async function eventually(check: () => Promise<boolean> | boolean, failure: () => Promise<string> | string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > CHECK_MS) throw new Error(await failure());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function reportedState(cloud: Cloud, thing: string): Promise<unknown> {
  const outcome = (await cloud.shadows.get({ thingName: thing })) as { accepted: boolean; response: { state?: { reported?: unknown } } };
  return outcome.accepted ? outcome.response.state?.reported : undefined;
}

export const actions: Record<string, Action> = {
  /** Sets desired state in the device's classic shadow, as a cloud application would: data = the desired object. */
  'shadow.desire': async (context, data) => {
    await needCloud(context).broker.bus.publish(`$aws/things/${context.thing}/shadow/update`, JSON.stringify({ state: { desired: data } }));
  },
  /** Checks that the cloud's copy of the shadow's reported state comes to include `data`. */
  'shadow.expectReported': async (context, data) => {
    const cloud = needCloud(context);
    await eventually(
      async () => includes(await reportedState(cloud, context.thing), data),
      async () => `host: the cloud's reported state is ${JSON.stringify(await reportedState(cloud, context.thing))}, expected it to include ${JSON.stringify(data)}`,
    );
  },
  /** Checks that the cloud's telemetry store comes to hold an entry from this device whose measurements include `data`. */
  'telemetry.expect': async (context, data) => {
    const cloud = needCloud(context);
    const entries = () => cloud.telemetry.entries(context.thing);
    await eventually(
      async () => (await entries()).some((entry) => includes(entry.m, data)),
      async () => `host: no telemetry entry from ${context.thing} with ${JSON.stringify(data)} in the cloud's store (stored: ${JSON.stringify(await entries())})`,
    );
  },
};
