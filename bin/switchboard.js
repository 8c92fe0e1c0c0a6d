#!/usr/bin/env node
// `npx switchboard serve [flags]`: the compiled server when built (npm run build, the Docker
// image), otherwise the TypeScript sources through tsx. The operator commands (status, queues,
// agents, explain, events, history, help) start the CLI alone, which loads nothing of the server.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = new Set(['status', 'queues', 'agents', 'explain', 'events', 'history', 'help']);
const root = fileURLToPath(new URL('..', import.meta.url));
const entry = CLI.has(process.argv[2]) ? 'cli/run' : 'main';
const compiled = `${root}dist/src/${entry}.js`;
const args = existsSync(compiled) ? [compiled] : ['--import', 'tsx', `${root}src/${entry}.ts`];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 0)));
