#!/usr/bin/env node
// `npx switchboard serve [flags]`: the compiled server when built (npm run build, the Docker
// image), otherwise the TypeScript sources through tsx. Any other first word is an operator
// command (status, queues, agents, explain, events, history, help): the CLI alone starts, which
// loads nothing of the server (src/main.ts reads the command line the same way).
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const first = process.argv[2];
const entry = first !== undefined && first !== 'serve' && !first.startsWith('-') ? 'cli/run' : 'main';
const compiled = `${root}dist/src/${entry}.js`;
const args = existsSync(compiled) ? [compiled] : ['--import', 'tsx', `${root}src/${entry}.ts`];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 0)));
