/** `switchboard help`: the commands, the flags they share, the environment and the exit codes. */
import type { Command } from './command.ts';
import { DEFAULT_URL } from './arguments.ts';

export function usage(commands: readonly Command[]): string {
  return `Switchboard: a real-time routing engine for contact centers.

usage: switchboard <command> [arguments] [flags]

  serve [flags]
      run the server (switchboard serve --help lists its flags)
${commands.map((c) => `  ${c.synopsis}\n      ${c.summary}`).join('\n')}
  help
      this text

Operator commands ask a running server over its HTTP API:
  --url URL[,URL]    the server (default ${DEFAULT_URL}; env SWITCHBOARD_URL; ws:// and wss:// are read as http:// and https://);
                     a leader and its standbys, comma-separated: requests go to the one that answers (events --follow
                     follows a failover), status shows each
  --token TOKEN      a supervisor or platform token of the tenant to look at (env SWITCHBOARD_TOKEN, else SUPERVISOR_TOKEN)
  --token-file PATH  the token from a file (keeps it out of the process list)
  --json             JSON for scripts (events: one event per line)
  --timeout S        seconds to wait for an answer (default 10)

Exit codes: 0 done; 1 the server refused the request (not found, invalid, rate limited);
2 the command line is wrong; 3 the server cannot be reached; 4 the token is refused or may not
do this; 5 the server cannot answer now (a standby, stopping, its store unavailable).

Examples:
  export SWITCHBOARD_URL=http://switchboard-1:7070 SWITCHBOARD_TOKEN=$SUPERVISOR_TOKEN
  switchboard status
  switchboard queues
  switchboard explain call-42
  switchboard events --follow --types InteractionSubmitted,OfferMade
  switchboard history call-42 --json | jq '.events[].type'
`;
}
