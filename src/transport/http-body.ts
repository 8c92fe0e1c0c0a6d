/**
 * Reading an HTTP request body with a bound: chunks are copied as they come (uWebSockets.js
 * reuses their memory once the callback returns) and counted; past `max` bytes reading stops
 * and `done` gets null once, so a body over the limit is never held whole. The caller attaches
 * `onAborted` first: a client that goes away mid-body never reaches `done`.
 */
import type uWS from 'uWebSockets.js';

export function readBody(res: uWS.HttpResponse, max: number, done: (body: Uint8Array | null) => void): void {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let over = false;
  res.onData((chunk, isLast) => {
    if (over) return;
    length += chunk.byteLength;
    if (length > max) {
      over = true;
      return done(null);
    }
    if (chunk.byteLength > 0) chunks.push(new Uint8Array(chunk.slice(0)));
    if (!isLast) return;
    if (chunks.length === 1) return done(chunks[0]);
    const body = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.byteLength;
    }
    done(body);
  });
}
