/** Prints the Espruino lowering bench: `npx vite-node bench/espruino/print.ts`. */
import { formatEspruinoBench, runEspruinoBench } from './run.js';

console.log(formatEspruinoBench(await runEspruinoBench()));
