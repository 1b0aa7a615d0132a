#!/usr/bin/env node
// Launcher for the `mote` CLI: runs the build in dist/ (`npm run build` makes it).
let cli;
try {
  cli = await import('../../dist/cli/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js')) throw error;
  process.stderr.write("mote: the CLI is not built; run 'npm run build' in the mote repository\n");
  process.exit(1);
}
process.exitCode = await cli.main();
