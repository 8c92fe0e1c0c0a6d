/**
 * The operator CLI's command line: `switchboard <command> [positionals] [--flag value | --flag=value | --switch]`,
 * with the server's URL and token from flags or the environment. Everything is checked before a
 * request is sent; a mistake is a `CliFailure` with exit code 2.
 */
import { readFileSync } from 'node:fs';
import { CliFailure, Exit } from './failure.ts';

/** Flags that take a value, and switches that do not. */
const VALUED = new Set(['url', 'token', 'token-file', 'timeout', 'after', 'limit', 'types', 'queues']);
const SWITCHES = new Set(['json', 'follow', 'help']);

export const DEFAULT_URL = 'http://localhost:7070';
/** Seconds a request may take before the server counts as unreachable. */
const DEFAULT_TIMEOUT_SECONDS = 10;

export interface Arguments {
  readonly command: string;
  readonly positionals: readonly string[];
  /**
   * The servers' base URLs, http(s), without a trailing slash: one, or a leader and its standbys
   * (`--url a,b`), tried in turn while one is unreachable or cannot answer (a standby).
   */
  readonly urls: readonly string[];
  /** The bearer token, or null when none was given (a command that needs one says so). */
  readonly token: string | null;
  readonly json: boolean;
  readonly follow: boolean;
  readonly help: boolean;
  readonly timeoutMs: number;
  readonly after: number | undefined;
  readonly limit: number | undefined;
  readonly types: readonly string[] | undefined;
  readonly queues: readonly string[] | undefined;
}

const usage = (message: string) => new CliFailure(`${message} (switchboard help)`, Exit.USAGE);

function wholeNumber(flag: string, v: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max) throw usage(`--${flag}: a whole number from ${min} to ${max}`);
  return Number(v);
}

/**
 * The server's URL as given (`--url`, SWITCHBOARD_URL), made an HTTP base: `ws://` and `wss://`
 * (as `npm start` prints SWITCHBOARD_URL) become `http://` and `https://`; a bare `host:port`
 * is `http://host:port`; a path `/v1/…` is dropped.
 */
export function baseUrl(raw: string): string {
  let s = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw usage(`--url: not a URL: ${raw}`);
  }
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage(`--url: http(s) or ws(s), not ${u.protocol}`);
  const path = u.pathname.replace(/\/v1(\/.*)?$/, '').replace(/\/+$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

/** Reads the command line and the environment (SWITCHBOARD_URL, SWITCHBOARD_TOKEN, then SUPERVISOR_TOKEN). */
export function parseArguments(argv: readonly string[], env: Record<string, string | undefined>): Arguments {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      flags.set('help', 'true');
      continue;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (SWITCHES.has(name)) {
      if (eq >= 0) throw usage(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (VALUED.has(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw usage(`--${name} needs a value`);
      flags.set(name, value);
    } else throw usage(`unknown flag --${name}`);
  }
  const [command = 'help', ...rest] = positionals;
  const list = (name: string) => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const items = v.split(',').filter((x) => x !== '');
    if (items.length === 0) throw usage(`--${name}: one or more, comma-separated`);
    return items;
  };
  let token = flags.get('token') ?? null;
  const tokenFile = flags.get('token-file');
  if (token === null && tokenFile !== undefined) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (e) {
      throw usage(`--token-file: cannot read ${tokenFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  token ??= env.SWITCHBOARD_TOKEN || env.SUPERVISOR_TOKEN || null;
  const timeout = flags.get('timeout');
  if ((flags.get('url') ?? env.SWITCHBOARD_URL ?? '').split(',').length > 8) throw usage('--url: at most 8, comma-separated');
  const after = flags.get('after');
  const limit = flags.get('limit');
  return {
    command,
    positionals: rest,
    urls: (flags.get('url') ?? (env.SWITCHBOARD_URL || DEFAULT_URL))
      .split(',')
      .filter((u) => u.trim() !== '')
      .map(baseUrl),
    token,
    json: flags.has('json'),
    follow: flags.has('follow'),
    help: flags.has('help'),
    timeoutMs: (timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : wholeNumber('timeout', timeout, 1, 3600)) * 1000,
    after: after === undefined ? undefined : wholeNumber('after', after, 0, Number.MAX_SAFE_INTEGER),
    limit: limit === undefined ? undefined : wholeNumber('limit', limit, 1, 100_000),
    types: list('types'),
    queues: list('queues'),
  };
}
