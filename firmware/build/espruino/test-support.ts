/**
 * Test support shared by the dialect checker's and the Espruino-dialect host's tests (host-side;
 * imports TypeScript, a dev dependency, so only tests may import this module).
 */
import ts from 'typescript';

/** The table row whose `code` is a description, not code: tscEs5AsyncOutput() is the code it describes. */
export const GENERATOR_HELPER_ROW = 'TypeScript ES5 __generator helper as emitted';

/** What `tsc --target ES5` emits for an async function: its __awaiter and __generator helpers. */
export function tscEs5AsyncOutput(): string {
  const source = 'async function f() { return 1 }\nf().then(function (v) { console.log(v) })\n';
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES5, lib: ['es2015'] } }).outputText;
}
