/**
 * How the operator CLI fails: a message for a person and an exit code for a script. The codes
 * (also in `switchboard help`):
 *
 * | code | meaning                                                                             |
 * | ---- | ----------------------------------------------------------------------------------- |
 * | 0    | done                                                                                |
 * | 1    | the server refused the request (not found, invalid, rate limited…)                  |
 * | 2    | the command line is wrong                                                           |
 * | 3    | the server cannot be reached (refused, unknown host, timed out, not Switchboard)    |
 * | 4    | the token is refused (401) or may not do this (403)                                 |
 * | 5    | the server cannot answer now (503: a standby, stopping, its store unavailable)      |
 */
export const Exit = {
  OK: 0,
  REFUSED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  AUTH: 4,
  UNAVAILABLE: 5,
} as const;

export type ExitCode = (typeof Exit)[keyof typeof Exit];

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The wire code of a refusal, when the server gave one. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}
