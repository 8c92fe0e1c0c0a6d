/**
 * The web pages (web/): the supervisor dashboard at /dashboard and the agent desktop at /agent,
 * with their stylesheet and the browser bundles esbuild writes to web/dist (npm run build:web).
 * Read once at start; a missing bundle is answered with 503 and the command that builds it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly body: Buffer | null;
  readonly type: string;
  readonly missing: string;
}

/** The package root: the nearest directory above this file holding package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the server');
    dir = up;
  }
  return dir;
}

const FILES: Record<string, [string, string]> = {
  '/dashboard': ['web/dashboard.html', 'text/html; charset=utf-8'],
  '/agent': ['web/agent.html', 'text/html; charset=utf-8'],
  '/web/style.css': ['web/style.css', 'text/css; charset=utf-8'],
  '/web/dist/dashboard.js': ['web/dist/dashboard.js', 'text/javascript; charset=utf-8'],
  '/web/dist/agent.js': ['web/dist/agent.js', 'text/javascript; charset=utf-8'],
};

/** Every page and asset by URL path, loaded now. */
export function loadWebFiles(root = packageRoot()): Map<string, StaticFile> {
  const out = new Map<string, StaticFile>();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const full = join(root, file);
    out.set(path, { body: existsSync(full) ? readFileSync(full) : null, type, missing: file });
  }
  return out;
}

/** Headers for every page: same-origin scripts only; WebSocket to this server. */
export const WEB_HEADERS: readonly (readonly [string, string])[] = [
  [
    'content-security-policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  ],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['cache-control', 'no-cache'],
];
