/**
 * `mote init <dir> [--name n] [--target espruino|moddable] [--json]`: a new firmware project in
 * `dir` (which must be empty or absent): package.json depending on this mote, tsconfig.json,
 * mote.config.json, src/main.ts (a kernel task and an SDK button driving the LED), a device test
 * suite for `mote hil` (hil-tests/app/), a GitHub Actions workflow and .gitignore.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { addJsonOption, printResult } from '../json.js';
import { packageRoot } from '../../lib/paths.js';

interface InitFlags {
  name?: string;
  target: string;
  json?: boolean;
}

const identifier = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The project's files by path; `moteDependency` is how its package.json reaches mote. */
export function projectFiles(name: string, target: 'espruino' | 'moddable', moteDependency: string): Record<string, string> {
  return {
    'package.json': json({
      name, version: '0.1.0', private: true, type: 'module',
      scripts: {
        typecheck: 'tsc -p .',
        build: 'mote build',
        'build:espruino': 'mote build --target espruino --out build/espruino',
        'build:moddable': 'mote build --target moddable --out build/moddable',
        test: 'mote hil --virtual',
      },
      devDependencies: { mote: moteDependency, typescript: '^5.9.3' },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        // On-device code: ES2022 and no Node types (the engines have no process, Buffer or require).
        target: 'ES2022', lib: ['ES2022'], types: [], module: 'ESNext', moduleResolution: 'Bundler',
        strict: true, isolatedModules: true, skipLibCheck: true, noEmit: true,
      },
      include: ['src', 'hil-tests'],
    }),
    'mote.config.json': json({ target, entry: 'src/main.ts', board: 'esp32-devkitc', outDir: 'build', name }),
    'src/main.ts': `/**
 * ${name}: a heartbeat task blinks the LED (GPIO 2) while the BOOT button (GPIO 0) is not held;
 * a single press pauses or resumes it, a long press reports the blink count.
 */
import { Kernel, RealClock } from 'mote/kernel';
import { Digital, engineTimer, log } from 'mote/hal';
import { buttons } from 'mote/sdk';

const led = new Digital({ pin: 2, mode: Digital.Output });
const kernel = new Kernel({ tickRateHz: 100 });
let paused = false;
let blinks = 0;

new buttons.Button({
  name: 'boot', pin: 0, Digital, timer: engineTimer,
  onPress: (event) => {
    if (event.press === 'single') {
      paused = !paused;
      log(paused ? 'paused' : 'blinking');
    } else if (event.press === 'long') {
      log(\`blinks: \${blinks}\`);
    }
  },
});

kernel.createTask('heartbeat', 1, function* () {
  const wake = { previous: kernel.tickCount };
  for (;;) {
    yield* kernel.delayUntil(wake, kernel.msToTicks(500));
    if (paused) continue;
    led.write(blinks % 2 === 0 ? 1 : 0);
    blinks++;
  }
});

new RealClock(kernel, engineTimer).start();
log('${name}: started');
`,
    'hil-tests/app/suite.json': json({
      description: `${name} on a board: the LED and the BOOT button`,
      timeoutMs: 20000,
      // The virtual board's BOOT button: released, then pressed for 80 ms at 300 ms.
      board: { stimuli: [{ at: 0, pin: 0, level: 1 }, { at: 300, pin: 0, level: 0 }, { at: 380, pin: 0, level: 1 }] },
    }),
    'hil-tests/app/main.ts': `/** Device tests of ${name}, run by \`mote hil --virtual\` on virtual boards (or on a board). */
import { Digital, engineTimer, log } from 'mote/hal';
import { buttons } from 'mote/sdk';
import { describe, expect, run, test, testDone } from 'mote/test';

describe('LED', () => {
  test('the LED output reads back the level written', () => {
    const led = new Digital({ pin: 2, mode: Digital.Output });
    try {
      led.write(1);
      expect(led.read()).toBe(1);
      led.write(0);
      expect(led.read()).toBe(0);
    } finally {
      led.close();
    }
  });
});

describe('BOOT button', () => {
  testDone('a short press is a single press', (done) => {
    const button = new buttons.Button({
      name: 'boot', pin: 0, Digital, timer: engineTimer,
      onPress: (event) => {
        expect(event.press).toBe('single');
        button.close();
        done();
      },
    });
  }, { timeoutMs: 3000 });
});

run({ print: log, timer: engineTimer });
`,
    '.github/workflows/ci.yml': `name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      # mote's npm install compiles the XS engine (make, cc), which ubuntu-latest has.
      - run: npm install
      - run: npm run typecheck
      - run: npm run build:espruino
      - run: npm run build:moddable
      - run: npx mote hil --virtual --junit hil-results.xml
`,
    '.gitignore': 'node_modules/\nbuild/\n.mote/\nhil-results.xml\n',
  };
}

export const initCommand: CommandModule = {
  register(program, { io }) {
    addJsonOption(
      program
        .command('init')
        .description('create a firmware project: sources, config, a device test and a CI workflow')
        .argument('<dir>', 'the project folder (created; must be empty if it exists)')
        .option('--name <name>', "the firmware's name (default: the folder's name)")
        .option('--target <target>', 'espruino or moddable, written to mote.config.json', 'espruino'),
    ).action((dir: string, flags: InitFlags) => {
      const root = path.resolve(dir);
      const name = flags.name ?? path.basename(root);
      if (!identifier.test(name)) throw new UsageError(`the project name '${name}' must be letters, digits, ".", "_" or "-", starting with a letter or digit (pass --name)`);
      if (flags.target !== 'espruino' && flags.target !== 'moddable') throw new UsageError(`--target must be espruino or moddable, got "${flags.target}"`);
      if (existsSync(root) && readdirSync(root).length > 0) throw new CliError(`${dir} is not empty: mote init writes a new project into an empty or new folder`);
      const mote = path.relative(root, packageRoot()) || '.';
      const files = projectFiles(name, flags.target, `file:${mote.split(path.sep).join('/')}`);
      try {
        for (const [file, text] of Object.entries(files)) {
          mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
          writeFileSync(path.join(root, file), text, { flag: 'wx' });
        }
      } catch (error) {
        throw new CliError(`cannot write the project: ${(error as Error).message}`);
      }
      printResult(io, flags, { dir: root, name, target: flags.target, files: Object.keys(files) }, (r) =>
        [`created ${r.name} in ${r.dir}:`, ...r.files.map((f) => `  ${f}`), 'next:', `  cd ${dir} && npm install`, '  npx mote build            # for the target in mote.config.json', '  npx mote hil --virtual    # the device tests on virtual boards'].join('\n'),
      );
    });
  },
};
