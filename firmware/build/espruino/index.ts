/** The Espruino build path: TypeScript to one ES5 script with mote's helpers, and its source map. */
export { buildEspruino, type EspruinoBuild, type EspruinoBuildOptions } from './build.js';
export { helpers } from './helpers.js';
export type { RawSourceMap } from './lower.js';
