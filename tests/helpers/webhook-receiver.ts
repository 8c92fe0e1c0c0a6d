import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A delivery as a receiver saw it. */
export interface Received {
  readonly webhookId: string;
  readonly seqs: number[];
  readonly types: string[];
  readonly signatureValid: boolean;
  readonly answered: number;
}

/**
 * A real HTTP receiver for webhook deliveries. It checks each signature as docs/protocol.md tells
 * a receiver to (HMAC-SHA256 over `t.body`, written here from the docs, not the server's code),
 * answers what `answer` decides (a status, or 'drop' to cut the connection), and can go down
 * (its port closed) and come back on the same port.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Deliveries answered 2xx, in order of arrival. */
  readonly accepted: Received[] = [];
  requests = 0;
  private server: http.Server | null = null;
  port = 0;

  constructor(
    private readonly secret: string,
    private readonly answer: (n: number) => number | 'drop' = () => 200,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const n = ++this.requests;
        const header = String(req.headers['switchboard-signature'] ?? '');
        const t = /t=(\d+)/.exec(header)?.[1];
        const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1] ?? '';
        const expected = createHmac('sha256', this.secret).update(`${t}.${body}`).digest();
        const given = Buffer.from(v1, 'hex');
        const signatureValid =
          t !== undefined && Math.abs(Date.now() / 1000 - Number(t)) < 300 && given.length === expected.length && timingSafeEqual(given, expected);
        const parsed = JSON.parse(body) as { webhookId: string; events: { seq: number; type: string }[] };
        const status = this.answer(n);
        const r: Received = {
          webhookId: parsed.webhookId,
          seqs: parsed.events.map((e) => e.seq),
          types: parsed.events.map((e) => e.type),
          signatureValid,
          answered: status === 'drop' ? 0 : status,
        };
        this.received.push(r);
        if (status === 'drop') return req.socket.destroy();
        if (status >= 200 && status < 300) this.accepted.push(r);
        res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://example.com/' } : {});
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes down: the port is closed (open connections cut). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The distinct event seqs accepted, in order of first acceptance. */
  acceptedSeqs(webhookId?: string): number[] {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const r of this.accepted)
      if (webhookId === undefined || r.webhookId === webhookId)
        for (const s of r.seqs)
          if (!seen.has(s)) {
            seen.add(s);
            out.push(s);
          }
    return out;
  }
}
