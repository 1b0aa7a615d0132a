/** Host-side tools for running code on Moddable's XS engine (via @agoric/xsnap). */
export { bundleForXS } from './bundle.js';
export { runModulesOnXS } from './modules.js';
export { runOnXS, XsError, type XsFailure, type XsRunOptions, type XsRunResult } from './run.js';
