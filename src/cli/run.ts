/**
 * The operator CLI (`switchboard status | queues | agents | explain | events | history`): reads
 * the command line, asks the server over its HTTP API, prints a table or `--json`, and exits
 * with a code a script can act on (failure.ts). It imports nothing of the server: only Node, the
 * protocol's types and its own files, so it starts fast and runs against any reachable server.
 * `bin/switchboard.js` starts it directly; `src/main.ts` hands these commands to it too.
 */
import { ApiClient } from './api-client.ts';
import { parseArguments } from './arguments.ts';
import type { Command, Output } from './command.ts';
import { agents } from './commands/agents.ts';
import { events } from './commands/events.ts';
import { explain } from './commands/explain.ts';
import { history } from './commands/history.ts';
import { queues } from './commands/queues.ts';
import { status } from './commands/status.ts';
import { CliFailure, Exit } from './failure.ts';
import { usage } from './usage.ts';

export const COMMANDS: readonly Command[] = [status, queues, agents, explain, events, history];

export async function runCli(argv: readonly string[], env: Record<string, string | undefined>, io: Output, signal: AbortSignal): Promise<number> {
  try {
    const args = parseArguments(argv, env);
    const command = COMMANDS.find((c) => c.name === args.command);
    if (args.command === 'help' || args.help) {
      io.out(usage(COMMANDS));
      return Exit.OK;
    }
    if (!command) throw new CliFailure(`unknown command '${args.command}' (switchboard help)`, Exit.USAGE);
    return await command.run({ args, api: new ApiClient(args.urls, args.token, args.timeoutMs), io, signal });
  } catch (e) {
    if (e instanceof CliFailure) {
      io.err(`switchboard: ${e.message}`);
      return e.exitCode;
    }
    if (signal.aborted) return Exit.OK;
    throw e;
  }
}

/**
 * Text a terminal shows as it is: control characters (but newline and tab) written as `\uXXXX`.
 * What the CLI prints comes partly from the server's tenants (an agent's note, an interaction's
 * context), and an escape sequence in it would otherwise reach the operator's terminal. In JSON
 * output the same escape is a valid one for the same character.
 */
export function inert(t: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it replaces
  return t.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Runs the CLI in this process: stdout and stderr, stopped by SIGINT or SIGTERM, a closed pipe ends it quietly. */
export async function runCliProcess(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(Exit.OK);
  });
  const io: Output = { out: (t) => void process.stdout.write(`${inert(t)}\n`), err: (t) => void process.stderr.write(`${inert(t)}\n`) };
  try {
    return await runCli(argv, env, io, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1]?.endsWith('/cli/run.ts') || process.argv[1]?.endsWith('/cli/run.js')) {
  runCliProcess(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`switchboard: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
