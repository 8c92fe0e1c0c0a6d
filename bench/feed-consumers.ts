/**
 * What the event feed's cost is measured against in bench:e2e (--feed): a subscriber reading
 * every event over a socket (a supervisor's `Subscribe {events: true}`), or a webhook receiver
 * confirming every delivery on a local HTTP server. Each counts the events it received, so the
 * bench can check that the consumer kept up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { SUBPROTOCOLS } from '../src/protocol/codec.ts';

export interface FeedConsumer {
  /** Events received so far. */
  events(): number;
  /** The highest seq received. */
  last(): number;
  close(): Promise<void>;
}

/** A supervisor subscribed to every event of the tenant. */
export async function subscriber(url: string, token: string): Promise<FeedConsumer> {
  const ws = new WebSocket(`${url}/v1/agent`, [SUBPROTOCOLS.json], { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let n = 0;
  let last = 0;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { push?: string; events?: { seq: number }[] };
    if (m.push !== 'events' || !m.events) return;
    n += m.events.length;
    last = m.events[m.events.length - 1].seq;
  });
  ws.send(JSON.stringify({ id: 1, type: 'Subscribe', events: true }));
  return {
    events: () => n,
    last: () => last,
    close: async () => ws.close(),
  };
}

/** A local receiver that answers every delivery 204, and the webhook that points at it. */
export async function webhookReceiver(): Promise<FeedConsumer & { url: string }> {
  let n = 0;
  let last = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: { seq: number }[] };
      n += body.events.length;
      last = Math.max(last, body.events[body.events.length - 1].seq);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    events: () => n,
    last: () => last,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
