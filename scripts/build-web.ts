/**
 * Bundles the web pages' scripts (web/*.ts with the SDK) for browsers with esbuild, into
 * web/dist/. Run by `npm run build:web`, before `npm start`, by `npm run build` and by the browser
 * tests.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildWeb(outdir = `${root}web/dist`): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ['web/dashboard.ts', 'web/agent.ts'],
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
  console.log('web/dist built');
}
