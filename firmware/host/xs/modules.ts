/**
 * runModulesOnXS: runs a set of ES modules on XS, loaded by XS's own module machinery, as
 * Moddable loads the modules of its manifest on a device: by specifier, each source parsed as a
 * module by XS (`ModuleSource`), linked and evaluated by a `Compartment`.
 *
 * xsnap's `evaluate` only takes scripts, but its XS has the Compartment and ModuleSource globals
 * (the SES/HardenedJS module API): the guest script below builds a compartment whose
 * `resolveHook` maps specifiers to module names and whose `loadNowHook` (and `loadHook`, for
 * `import()`) hands XS each module's source text, then `importNow`s the main module.
 */
import { type XsRunOptions, type XsRunResult, runOnXS } from './run.js';

/**
 * The loader, evaluated as a script with the modules' sources in `sources`. The compartment gets
 * every global of xsnap's start compartment it lacks (hostLog, hostResult, print,
 * setImmediate, TextEncoder, ...). Specifiers starting `./` or `../` resolve against the
 * referrer's name as paths (XS's own rule); any other is a module name. Loading a name that is
 * not in `sources` throws, as a missing module would on the device.
 */
export const moduleLoader = (sources: Record<string, string>, main: string) => `(() => {
  const sources = ${JSON.stringify(sources)};
  const resolveHook = (specifier, referrer) => {
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) return specifier;
    const parts = referrer.split('/').slice(0, -1);
    for (const part of specifier.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    return parts.join('/');
  };
  const loadNowHook = (name) => {
    if (!Object.prototype.hasOwnProperty.call(sources, name)) throw new Error('module "' + name + '" not found');
    return { source: new ModuleSource(sources[name]) };
  };
  const loadHook = async (name) => loadNowHook(name);
  const compartment = new Compartment({ globals: {}, resolveHook, loadHook, loadNowHook });
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (!(name in compartment.globalThis)) compartment.globalThis[name] = globalThis[name];
  }
  // xsnap calls the start compartment's handleCommand: modules install theirs through this.
  compartment.globalThis.__moteSetHandleCommand = (fn) => { globalThis.handleCommand = fn; };
  compartment.importNow(${JSON.stringify(main)});
})();`;

/**
 * Runs the module named `main` of `modules` (specifier → source text) on XS in a fresh worker,
 * with the modules it imports, and resolves as runOnXS does (`hostLog` lines, `hostResult`
 * value). Modules are linked and evaluated synchronously (`importNow`), so a module graph with
 * top-level await is not supported. Rejects with an XsError (see runOnXS); a module that does not
 * parse, an import that names no module and an exception while evaluating are kind 'exception'.
 */
export function runModulesOnXS(modules: Record<string, string>, main: string, opts: XsRunOptions = {}): Promise<XsRunResult> {
  return runOnXS(moduleLoader(modules, main), opts);
}
