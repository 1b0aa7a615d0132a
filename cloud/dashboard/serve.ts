/**
 * The fleet dashboard, served by the cloud's HTTP server next to the API: the page at
 * `/dashboard/` (static, no data in it, so no token needed) and its live feed (live.ts). The page
 * calls the HTTP API with the admin token the user gives it (in the URL's fragment, which
 * browsers never send to the server, or typed in).
 *
 * The page's script (app/) is bundled by esbuild when first asked for, once per process: the
 * sources ship with the package, so the cloud run from sources and from dist/ serve the same.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { packageFile } from '../../scripts/lib/paths.js';
import { LiveFeed, type LiveFeedOptions } from './live.js';

const source = (file: string) => packageFile(`cloud/dashboard/${file}`);

let script: Promise<string> | undefined;

/** The page's script, bundled from app/main.ts. */
export function dashboardScript(): Promise<string> {
  script ??= import('esbuild').then(async (esbuild) => {
    const result = await esbuild.build({
      entryPoints: [source('app/main.ts')], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  });
  return script;
}

function styles(): string {
  const uplot = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return `${uplot}\n${readFileSync(source('app/style.css'), 'utf8')}`;
}

/** Adds the dashboard to the API's server (ApiOptions.extensions). */
export function dashboard(options: LiveFeedOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const live = new LiveFeed(options);
    const page = readFileSync(source('app/index.html'), 'utf8');
    const css = styles();
    const open = { config: { public: true } };
    app.get('/dashboard', open, (_request, reply) => reply.redirect('/dashboard/'));
    app.get('/dashboard/', open, (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
    app.get('/dashboard/style.css', open, (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
    app.get('/dashboard/app.js', open, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(await dashboardScript()));
    app.server.on('upgrade', (request, socket, head) => {
      if (!live.upgrade(request, socket, head)) socket.destroy();
    });
    app.addHook('preClose', async () => live.close());
  };
}
