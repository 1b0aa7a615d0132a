import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { 'cli/main': 'scripts/cli/main.ts' },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: true,
  // Packages load from node_modules at run time rather than being bundled: @agoric/xsnap finds
  // its xsnap-worker binary relative to its own files, and SES must not exist twice.
  skipNodeModulesBundle: true,
});
