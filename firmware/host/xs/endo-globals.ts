/**
 * The HardenedJS globals that @agoric/xsnap's host-side JavaScript expects in the Node process:
 * `assert` and `HandledPromise` (from SES and @endo/eventual-send, via @endo/init/pre-remoting.js)
 * and `harden`.
 *
 * Unlike `import '@endo/init'`, this does not call lockdown(), so Node's intrinsics stay mutable
 * and test runners and the CLI are unaffected. `harden` is @endo/harden's fallback, which freezes
 * an object and its own properties but not its prototypes. Import this module before
 * @agoric/xsnap (run.ts loads both lazily, in that order).
 */
import '@endo/init/pre-remoting.js';
import harden from '@endo/harden';

const global = globalThis as { harden?: unknown };
if (global.harden === undefined) {
  // The first call makes @endo/harden choose its implementation and publish it at
  // Object[Symbol.for('harden')]; installing `harden` itself would make it choose itself.
  harden({});
  global.harden = (Object as unknown as Record<symbol, unknown>)[Symbol.for('harden')];
}
