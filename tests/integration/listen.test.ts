import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer } from '../helpers/server.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('a port is listened on by one server only', () => {
  const running: RunningServer[] = [];
  afterAll(() => {
    for (const s of running) s.stop();
  });

  it('a second server on the main port or the metrics port fails to start, and the first keeps serving', async () => {
    const first = await startTestServer();
    running.push(first.server);
    await expect(startTestServer({ port: String(first.server.port) }).then((s) => running.push(s.server))).rejects.toThrow(
      /cannot listen on 127\.0\.0\.1:\d+ \(WebSocket and HTTP\)/,
    );
    await expect(startTestServer({ metricsPort: String(first.server.metricsPort) }).then((s) => running.push(s.server))).rejects.toThrow(
      /cannot listen on 127\.0\.0\.1:\d+ \(metrics\)/,
    );
    // Every fresh connection reaches the first server (no port shared with a second one).
    for (let i = 0; i < 20; i++) expect(await (await fetch(`http://127.0.0.1:${first.server.port}/readyz`)).text()).toBe('ready');
  });

  it('switchboard serve on a taken port exits non-zero and says why', async () => {
    const first = await startTestServer();
    running.push(first.server);
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', main, 'serve', '--dev', '--host', '127.0.0.1', '--port', String(first.server.port), '--metrics-port', '-1', '--log-level', 'silent'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(WebSocket and HTTP\): the port is taken/);
  }, 30_000);
});
