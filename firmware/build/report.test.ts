import { describe, expect, it } from 'vitest';
import { type BuildReport, formatReport, reportJson } from './report.js';

const report: BuildReport = {
  target: 'moddable',
  entry: 'src/main.ts',
  outDir: 'build',
  modules: [
    { name: 'main', file: 'main.js', bytes: 310 },
    { name: 'app/lib/led', file: 'app/lib/led.js', bytes: 2170 },
  ],
  totalBytes: 2480,
  ms: 41,
  otherFiles: ['manifest.json', 'main.js.map', 'app/lib/led.js.map'],
  externals: ['timer'],
};

describe('formatReport', () => {
  it('prints a table of modules with the total, aligned', () => {
    expect(formatReport(report)).toBe(
      [
        'moddable build of src/main.ts into build: 2 modules, 2480 bytes, 41 ms',
        '  module       bytes',
        '  main           310',
        '  app/lib/led   2170',
        '  total         2480',
        'also written: manifest.json, 2 source maps',
        'left to the engine: timer',
        '',
      ].join('\n'),
    );
  });

  it('leaves out empty sections and says "module" for one', () => {
    const one: BuildReport = { ...report, modules: [report.modules[0]], totalBytes: 310, otherFiles: [], externals: [] };
    expect(formatReport(one)).toBe(
      ['moddable build of src/main.ts into build: 1 module, 310 bytes, 41 ms', '  module  bytes', '  main      310', '  total     310', ''].join(
        '\n',
      ),
    );
    expect(formatReport({ ...one, otherFiles: ['main.js.map'] })).toContain('\nalso written: 1 source map\n');
  });

  it('names the board when there is one', () => {
    expect(formatReport({ ...report, board: 'esp32-devkitc' })).toMatch(/^moddable build of src\/main\.ts for board esp32-devkitc into build: /);
    expect(reportJson({ ...report, board: 'esp32-devkitc' })).toMatchObject({ outDir: 'build', board: 'esp32-devkitc' });
    expect(Object.keys(reportJson({ ...report, board: 'b' })).slice(2, 5)).toEqual(['outDir', 'board', 'modules']);
  });
});

describe('reportJson', () => {
  it('is plain data with a fixed key order, not sharing arrays with the report', () => {
    const { ms, ...rest } = report;
    const shuffled = { ms, ...rest, modules: report.modules.map((m) => ({ bytes: m.bytes, file: m.file, name: m.name })) };
    const json = reportJson(shuffled);
    expect(JSON.stringify(json)).toBe(JSON.stringify(report));
    expect(json.modules).not.toBe(report.modules);
    expect(JSON.parse(JSON.stringify(json))).toEqual(report);
  });
});
