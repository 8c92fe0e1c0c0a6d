/** One command of the operator CLI: its name, its line in `switchboard help`, and what it does. */
import type { ApiClient } from './api-client.ts';
import type { Arguments } from './arguments.ts';

export interface Output {
  /** A line (or lines) for standard output. */
  out(text: string): void;
  /** A line for standard error (notes, warnings: never what a script parses). */
  err(text: string): void;
}

export interface CommandContext {
  readonly args: Arguments;
  readonly api: ApiClient;
  readonly io: Output;
  /** Aborted by SIGINT or SIGTERM: a command that runs on (events --follow) stops cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** `name <positionals> [flags]`, as in the usage text. */
  readonly synopsis: string;
  readonly summary: string;
  /** Resolves to the exit code; fails with a `CliFailure`. */
  run(ctx: CommandContext): Promise<number>;
}

/** Prints `value` as indented JSON (the `--json` output of every command but events). */
export function printJson(io: Output, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
