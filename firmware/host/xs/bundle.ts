/** bundleForXS: turns a TypeScript or JavaScript entry module into one script runOnXS can evaluate. */
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles `entryFile` and everything it imports into a single IIFE script (format iife, target
 * es2022, platform neutral: no Node built-ins, no Node globals injected). Packages resolve through
 * their `exports` (conditions: import, default), then `module`, then `main`.
 * Rejects with esbuild's message (file:line:column: ERROR: ...) if the entry cannot be bundled.
 */
export async function bundleForXS(entryFile: string): Promise<string> {
  const result = await build({
    entryPoints: [path.resolve(entryFile)],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [bundle] = result.outputFiles;
  if (!bundle) throw new Error(`esbuild produced no output for ${entryFile}`);
  return bundle.text;
}
