/** Baseline for bench/e2e.ts: a raw uWebSockets.js echo server on the given port. */
import { loadUws } from '../src/transport/uws.ts';

const uWS = loadUws().uws;
const port = Number(process.argv[2] ?? 0);
uWS
  .App()
  .ws('/*', {
    maxPayloadLength: 64 * 1024,
    maxBackpressure: 1024 * 1024,
    message: (ws, message, isBinary) => {
      ws.send(message, isBinary);
    },
  })
  .listen('127.0.0.1', port, (s) => {
    if (!s) process.exit(1);
    process.send?.({ listening: uWS.us_socket_local_port(s) });
  });
