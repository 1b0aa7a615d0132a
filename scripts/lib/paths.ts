/** Paths inside the mote package, valid both from sources (tests) and from the built dist/. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding mote's package.json. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'mote') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the mote package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** A file of the mote package, by its path from the package root. */
export function packageFile(relative: string): string {
  return path.join(packageRoot(), relative);
}
