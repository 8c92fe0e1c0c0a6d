import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadUws, UWS_BUILDS, type UwsBuild, UwsUnavailable } from '../../src/transport/uws.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const BTC = '@btc-vision/uwebsockets.js@';
const TRUFFLE = '@trufflesuite/uws-js-unofficial@';
const abi = Number(process.versions.modules);
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
const olderGlibc = glibc !== undefined && Number(glibc.split('.')[1]) < 38 && glibc.startsWith('2.');

/** A package of our own in a temporary folder: a package.json, a main file and the given files. */
function fakeBuild(files: Record<string, string>): UwsBuild {
  const dir = mkdtempSync(join(tmpdir(), 'sb-fake-uws-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fake-uws', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), 'module.exports = {};\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { specifier: join(dir, 'index.js'), root: (m) => dirname(m), binary: (t) => `uws_${t}.node` };
}

const target = `${process.platform}_${process.arch}`;

describe('the uWebSockets.js build', () => {
  it('is a native one, the newer build wherever its binary loads, and the other one says why not', () => {
    const choice = loadUws();
    expect(choice.native).toBe(true);
    expect(String(choice.uws.App)).toContain('[native code]');
    const expected = process.env.SWITCHBOARD_EXPECT_UWS_BUILD;
    if (expected) expect(choice.build.startsWith(expected)).toBe(true);
    // Node 22 and later: only the newer build has binaries for them.
    if (abi > 115) expect(choice.build.startsWith(BTC)).toBe(true);
    if (abi <= 115 && olderGlibc) {
      // Node 20 on glibc before 2.38 (Debian 12): the newer build's binary asks for GLIBC_2.38.
      expect(choice.build.startsWith(TRUFFLE)).toBe(true);
      expect(choice.passedOver).toHaveLength(1);
      expect(choice.passedOver[0]?.build.startsWith(BTC)).toBe(true);
      expect(choice.passedOver[0]?.reason).toMatch(new RegExp(`needs glibc 2\\.38 or newer; this system has glibc ${glibc?.replace('.', '\\.')}`));
    }
    if (choice.build.startsWith(BTC)) expect(choice.passedOver).toEqual([]);
  });

  it('the server logs which build it loaded at start', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', main, 'serve', '--dev', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '-1', '--log-level', 'info'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const line = await new Promise<Record<string, unknown>>((resolveLine, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          for (const l of out.split('\n')) if (l.includes('"uWebSockets.js loaded"')) return resolveLine(JSON.parse(l) as Record<string, unknown>);
        });
        proc.on('exit', (c) => reject(new Error(`server exited with ${c} before logging its build:\n${out}`)));
      });
      const choice = loadUws();
      expect(line.build).toBe(choice.build);
      expect(line.native).toBe(true);
      expect(line.passedOver).toEqual(choice.passedOver);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 30_000);

  it('passes over a build without a binary for this Node, and one whose binary does not load, with the reason of each', () => {
    const none = fakeBuild({ [`uws_${target}_1.node`]: '' });
    const broken = fakeBuild({ [`uws_${target}_${abi}.node`]: 'not a shared object' });
    const choice = loadUws({ builds: [none, broken, ...UWS_BUILDS] });
    expect(choice.native).toBe(true);
    expect(choice.passedOver.slice(0, 2)).toEqual([
      {
        build: 'fake-uws@1.0.0',
        reason: `no binary for Node ${process.versions.node.split('.')[0]} (ABI ${abi}) on ${process.platform}-${process.arch}; it has binaries for ABI 1`,
      },
      { build: 'fake-uws@1.0.0', reason: expect.stringMatching(/^its binary did not load: /) },
    ]);
  });

  it('fails with what to install when no native binary loads, unless the JavaScript fallback is allowed', () => {
    const none = fakeBuild({ [`uws_${target}_1.node`]: '' });
    const other = { ...UWS_BUILDS[1]!, binary: (t: string) => `binaries/uws_${t}_none.node` };
    let message = '';
    try {
      loadUws({ builds: [none, other] });
    } catch (e) {
      expect(e).toBeInstanceOf(UwsUnavailable);
      message = (e as Error).message;
    }
    expect(message).toContain(`No native uWebSockets.js build loads on Node ${process.version} (ABI ${abi}), ${process.platform}-${process.arch}`);
    expect(message).toContain('- fake-uws@1.0.0: no binary for');
    expect(message).toContain(`- ${TRUFFLE}20.30.0-unofficial.0: no binary for`);
    expect(message).toContain('the Docker image (Node 24 on Debian 13)');
    expect(message).toContain('allowJsFallback');

    const fallback = loadUws({ builds: [none, other], allowJsFallback: true });
    expect(fallback.native).toBe(false);
    expect(fallback.build).toBe(`${TRUFFLE}20.30.0-unofficial.0 (JavaScript fallback)`);
    expect(String(fallback.uws.App)).not.toContain('[native code]');
    expect(fallback.passedOver).toEqual([
      { build: 'fake-uws@1.0.0', reason: expect.stringMatching(/^no binary for /) },
      { build: `${TRUFFLE}20.30.0-unofficial.0`, reason: expect.stringMatching(/^no binary for /) },
    ]);
  });

  it('is loaded only through src/transport/uws.ts (other files import its types only)', () => {
    const root = resolve(import.meta.dirname, '../..');
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? walk(join(dir, d.name)) : /\.(ts|js|mjs)$/.test(d.name) ? [join(dir, d.name)] : [],
      );
    const offenders = ['src', 'bench', 'scripts', 'bin']
      .flatMap((d) => walk(join(root, d)))
      .filter((f) => !f.endsWith(join('src', 'transport', 'uws.ts')))
      .filter((f) => /^\s*import\s+(?!type\b)[^;]*from\s+['"](uWebSockets\.js|@trufflesuite\/uws-js-unofficial)['"]/m.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
