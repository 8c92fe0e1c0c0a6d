#!/usr/bin/env node
// `npx switchboard serve [flags]`: the compiled server when built (npm run build, the Docker
// image), otherwise the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/src/main.js`;
const args = existsSync(compiled) ? [compiled] : ['--import', 'tsx', `${root}src/main.ts`];
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 0)));
