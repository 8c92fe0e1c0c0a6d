/**
 * Which uWebSockets.js build the server runs on. Two are installed, because no one build has a
 * native binary for every Node and C library the server runs on:
 *
 * - `uWebSockets.js` (@btc-vision/uwebsockets.js 20.57): Node 20, 22, 24 and 25, built against
 *   glibc 2.38 or newer (Debian 13, Ubuntu 24.04, the Docker image);
 * - `@trufflesuite/uws-js-unofficial` (20.30): Node 16, 18 and 20, and older glibc (Debian 12).
 *
 * The first whose native binary loads for this platform, Node ABI (`process.versions.modules`)
 * and C library wins, in that order; the choice says why each build before it did not load.
 * Neither package's own loader is used for that: one throws, the other falls back to a JavaScript
 * implementation with a warning on the console, and neither says which binary it tried. When no native binary
 * loads, `loadUws` fails with what to install, unless the JavaScript fallback is allowed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The module's surface: the same API in both builds (the types are the newer build's). */
export type Uws = typeof import('uWebSockets.js');

/** An installed build: where its package is and where it keeps the binary for a platform and ABI. */
export interface UwsBuild {
  /** The package as imported (an alias in package.json, or its own name). */
  readonly specifier: string;
  /** The package's folder, from the file its `require` resolves to. */
  readonly root: (main: string) => string;
  /** The native binary for `linux_x64_137` and the like, relative to the package's folder. */
  readonly binary: (target: string) => string;
  /** The JavaScript implementation, relative to the package's folder, where the build has one. */
  readonly fallback?: string;
  /** What its binaries need besides a Node it has them for, as advice when none loads. */
  readonly needs?: string;
}

/** The builds in order of preference: the newer one first. */
export const UWS_BUILDS: readonly UwsBuild[] = [
  {
    specifier: 'uWebSockets.js',
    root: (main) => dirname(main),
    binary: (t) => `uws_${t}.node`,
    needs: 'on Linux, glibc 2.38 or newer (e.g. Debian 13, Ubuntu 24.04)',
  },
  {
    specifier: '@trufflesuite/uws-js-unofficial',
    root: (main) => dirname(dirname(main)),
    binary: (t) => `binaries/uws_${t}.node`,
    fallback: 'dist/index.js',
  },
];

/** The build that loaded and why each build before it did not. */
export interface UwsChoice {
  readonly uws: Uws;
  /** `name@version` of the package whose binary loaded, e.g. `@btc-vision/uwebsockets.js@20.57.0`. */
  readonly build: string;
  /** False only for the JavaScript fallback (allowJsFallback). */
  readonly native: boolean;
  /** The builds tried before and passed over, each with the reason its binary did not load. */
  readonly passedOver: readonly { readonly build: string; readonly reason: string }[];
}

/** No build's native binary loads here (and the JavaScript fallback is not allowed). */
export class UwsUnavailable extends Error {
  override readonly name = 'UwsUnavailable';
}

/** What the binaries are chosen by; the running process's by default. */
export interface UwsTarget {
  readonly platform: string;
  readonly arch: string;
  /** Node's module ABI, e.g. 115 for Node 20, 137 for Node 24. */
  readonly abi: string;
  readonly node: string;
  /** The glibc the process runs with, e.g. `2.36`; undefined elsewhere (musl, macOS, Windows). */
  readonly glibc: () => string | undefined;
}

const NODE_OF_ABI: Record<string, string> = { '93': '16', '108': '18', '115': '20', '127': '22', '137': '24', '141': '25' };

export function currentTarget(): UwsTarget {
  return {
    platform: process.platform,
    arch: process.arch,
    abi: process.versions.modules,
    node: process.version,
    glibc: () => (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime,
  };
}

interface Tried {
  readonly build: string;
  readonly reason: string;
  /** ABIs this build has binaries for on this platform. */
  readonly abis: readonly string[];
  readonly needs?: string | undefined;
}

/**
 * Loads the first build in `builds` whose native binary loads for `target`. With
 * `allowJsFallback`, a build's JavaScript implementation stands in when none does.
 */
export function loadUws(opts: { allowJsFallback?: boolean; builds?: readonly UwsBuild[]; target?: UwsTarget } = {}): UwsChoice {
  const builds = opts.builds ?? UWS_BUILDS;
  const target = opts.target ?? currentTarget();
  const require = createRequire(import.meta.url);
  const tag = `${target.platform}_${target.arch}_${target.abi}`;
  const tried: Tried[] = [];
  for (const b of builds) {
    let root: string;
    try {
      root = b.root(require.resolve(b.specifier));
    } catch {
      tried.push({ build: b.specifier, reason: 'not installed (npm ci installs it)', abis: [] });
      continue;
    }
    const build = nameOf(root, b.specifier);
    const abis = shippedAbis(root, b, target);
    const file = join(root, b.binary(tag));
    try {
      return { uws: require(file) as Uws, build, native: true, passedOver: reasons(tried) };
    } catch (e) {
      tried.push({ ...whyNot(e, build, abis, target), needs: b.needs });
    }
  }
  const fallback = builds.find((b) => b.fallback);
  if (opts.allowJsFallback && fallback?.fallback) {
    const root = fallback.root(require.resolve(fallback.specifier));
    const uws = require(join(root, fallback.fallback)) as Uws;
    return { uws, build: `${nameOf(root, fallback.specifier)} (JavaScript fallback)`, native: false, passedOver: reasons(tried) };
  }
  throw new UwsUnavailable(advice(tried, target));
}

function reasons(tried: readonly Tried[]): UwsChoice['passedOver'] {
  return tried.map(({ build, reason }) => ({ build, reason }));
}

function nameOf(root: string, specifier: string): string {
  try {
    const p = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return `${p.name ?? specifier}@${p.version ?? '?'}`;
  } catch {
    return specifier;
  }
}

/** The ABIs a build has binaries for on this platform and architecture, read off its file names. */
function shippedAbis(root: string, b: UwsBuild, target: UwsTarget): string[] {
  const probe = join(root, b.binary(`${target.platform}_${target.arch}_ABI`));
  const dir = dirname(probe);
  const [prefix, suffix] = probe.slice(dir.length + 1).split('ABI') as [string, string];
  try {
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
      .map((f) => f.slice(prefix.length, f.length - suffix.length))
      .filter((abi) => /^\d+$/.test(abi))
      .sort((x, y) => Number(x) - Number(y));
  } catch {
    return [];
  }
}

function nodeOf(abi: string): string {
  return NODE_OF_ABI[abi] ? `Node ${NODE_OF_ABI[abi]}` : `ABI ${abi}`;
}

/** `Node 16, 18 or 20` (`ABI 1` for an ABI of no Node release we know). */
function nodesOf(abis: readonly string[]): string {
  const or = (xs: readonly string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}` : xs.join(''));
  const majors = abis.map((a) => NODE_OF_ABI[a]);
  return majors.every((m) => m !== undefined) ? `Node ${or(majors as string[])}` : or(abis.map(nodeOf));
}

function whyNot(e: unknown, build: string, abis: readonly string[], target: UwsTarget): Tried {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e).split('\n')[0] ?? '';
  if (err.code === 'MODULE_NOT_FOUND' || !abis.includes(target.abi)) {
    const has = abis.length > 0 ? `it has binaries for ${nodesOf(abis)}` : 'it has none for this platform';
    return { build, abis, reason: `no binary for ${nodeOf(target.abi)} (ABI ${target.abi}) on ${target.platform}-${target.arch}; ${has}` };
  }
  const glibc = /GLIBC_([\d.]+)' not found/.exec(message)?.[1];
  if (glibc) {
    const have = target.glibc();
    return { build, abis, reason: `its binary needs glibc ${glibc} or newer; this system has ${have ? `glibc ${have}` : 'an older one'} (${message})` };
  }
  return { build, abis, reason: `its binary did not load: ${message}` };
}

/** What to install, from what each build has and needs. */
function advice(tried: readonly Tried[], target: UwsTarget): string {
  const glibc = target.glibc();
  const lines = [
    `No native uWebSockets.js build loads on Node ${target.node} (ABI ${target.abi}), ${target.platform}-${target.arch}${glibc ? `, glibc ${glibc}` : ''}:`,
    ...tried.map((t) => `- ${t.build}: ${t.reason}`),
    'Any of these runs natively:',
    ...tried.filter((t) => t.abis.length > 0).map((t) => `- ${nodesOf(t.abis)}${t.needs ? `, ${t.needs}` : ''} (${t.build})`),
    '- the Docker image (Node 24 on Debian 13).',
    'Reinstall with npm ci if a package is missing; set allowJsFallback to start on the slow JavaScript implementation anyway.',
  ];
  return lines.join('\n');
}
