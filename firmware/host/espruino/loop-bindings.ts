/**
 * Espruino 2v29 gives a `for (let ...)` loop one binding for the whole loop, not one per
 * iteration: closures made in the loop all see the last value (table row 'closures in loop let':
 * `for (let i = 0; i < 3; i++) fs.push(function(){ return i })` then `fs[0]() + fs[2]()` prints 6
 * on Espruino, 2 on V8). The host reproduces that by rewriting each loop whose head declares with
 * let or const so the declaration sits in a block around the loop:
 *
 *   for (let i = 0; i < n; i++) body      ->  {let i = 0; for (; i < n; i++) body}
 *   for (const k in o) body               ->  {let k; for (k in o) body}
 *
 * (for-in and for-of are not measured; they are assumed to share the binding the same way, being
 * the same interpreter's loop code.) Line numbers are kept: the declaration moves within its line
 * range. Host-side code.
 */
import { parse } from 'acorn';
import type * as acorn from 'acorn';
import { analyzeScopes } from '../../build/espruino/scope.js';

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

/** `code` with every let/const loop head rewritten to a single binding per loop. */
export function shareLoopBindings(code: string): string {
  let program: acorn.Program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  } catch {
    return code; // the dialect check reports it; V8 will report it too
  }
  const edits: Edit[] = [];
  for (const node of analyzeScopes(program).nodes) {
    if (node.type === 'ForStatement' && node.init?.type === 'VariableDeclaration' && node.init.kind !== 'var') {
      const declaration = code.slice(node.init.start, node.init.end);
      edits.push({ at: node.start, remove: 0, insert: `{${declaration}; ` });
      edits.push({ at: node.init.start, remove: node.init.end - node.init.start, insert: '' });
      edits.push({ at: node.end, remove: 0, insert: '}' });
    } else if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type === 'VariableDeclaration' && node.left.kind !== 'var') {
      const target = node.left.declarations[0]!.id;
      const name = code.slice(target.start, target.end);
      edits.push({ at: node.start, remove: 0, insert: `{let ${name}; ` });
      edits.push({ at: node.left.start, remove: node.left.end - node.left.start, insert: name });
      edits.push({ at: node.end, remove: 0, insert: '}' });
    }
  }
  // Apply from the end so earlier positions stay valid. At one position, a loop's closing brace
  // must end up before the next loop's opening: apply it last (each insertion lands in front).
  edits.sort((a, b) => b.at - a.at || (a.insert === '}' ? 1 : 0) - (b.insert === '}' ? 1 : 0));
  let out = code;
  for (const edit of edits) out = out.slice(0, edit.at) + edit.insert + out.slice(edit.at + edit.remove);
  return out;
}
