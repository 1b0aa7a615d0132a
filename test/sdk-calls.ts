/** Helpers for tests of the SDK's callback APIs (host side). */

/** The outcome of a call taking `done(error, value)`, as a promise that never rejects. */
export function call<T, E extends Error = Error & { code?: number | string; statusCode?: number; response?: unknown }>(
  start: (done: (error?: Error, value?: T) => void) => unknown,
): Promise<{ error?: E; value?: T }> {
  return new Promise((resolve) => start((error, value) => resolve({ error: error as E, value })));
}

/** Resolves once `check()` holds; rejects naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
