/** The Moddable target of the build path: ES modules and a manifest.json for mcconfig/mcrun. */
export { buildModdable, type ModdableBuildOptions } from './build.js';
export { BuildError } from './graph.js';
export { DEFAULT_INCLUDE, makeManifest, manifestSchema, readManifestModules, type Manifest, type ManifestModule, type ManifestOptions } from './manifest.js';
