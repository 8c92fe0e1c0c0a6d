/**
 * The SDK's connection: a WebSocket (the browser's, or any implementation with the same API
 * passed in, such as `ws` on Node 20), numbered requests with awaited typed responses, server
 * pushes, and reconnection with backoff. The token travels as the `access_token` query
 * parameter, which browsers can set (they cannot set headers on a WebSocket).
 */
import { decodeFrame, encodeFrame, SUBPROTOCOLS, type Encoding } from '../protocol/codec.ts';

/** The subset of the WHATWG WebSocket API the SDK uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ConnectionOptions {
  /**
   * Base URL, e.g. ws://localhost:7070, or the URLs of a leader and its standbys: a standby
   * refuses connections, so each failed attempt moves on to the next URL until the one that
   * leads answers (and after a failover, the one that leads now).
   */
  readonly url: string | readonly string[];
  /** A token, or a function returning a fresh one for each (re)connection. */
  readonly token: string | (() => string | Promise<string>);
  readonly encoding?: Encoding;
  /** WebSocket implementation; defaults to globalThis.WebSocket. */
  readonly WebSocket?: WebSocketConstructor;
  /** Reconnect after an unexpected close (default true), with exponential backoff. */
  readonly reconnect?: boolean;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Give up a request with no response after this long (default 10 s). */
  readonly requestTimeoutMs?: number;
}

/** A refused request: `code` is a stable wire code (engine or protocol). */
export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';
  constructor(
    readonly code: string,
    message: string,
    /** The refusal's other fields (EVENTS_EXPIRED: `oldest`). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export type Push = Record<string, unknown> & { push: string };

export class Connection {
  private ws: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly pushHandlers = new Set<(p: Push) => void>();
  private readonly openHandlers = new Set<() => void>();
  private closedByUser = false;
  private delay: number;
  private readonly encoding: Encoding;
  private readonly urls: readonly string[];
  /** Which of `urls` the next attempt uses; moves on after an attempt that never opened. */
  private at = 0;

  constructor(
    private readonly path: string,
    private readonly options: ConnectionOptions,
  ) {
    this.encoding = options.encoding ?? 'json';
    this.urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.urls.length === 0) throw new Error('no URL to connect to');
    this.delay = options.initialDelayMs ?? 250;
  }

  /**
   * Connects; resolves once a socket is open. With several URLs, tries each once, starting with
   * the one that answered last; if none opens, rejects and keeps trying in the background.
   */
  async connect(): Promise<void> {
    this.closedByUser = false;
    let failure = new Error('connection failed');
    for (let i = 0; i < this.urls.length; i++) {
      try {
        await this.attempt();
        return;
      } catch (e) {
        failure = e as Error;
        if (this.closedByUser) throw failure;
      }
    }
    if (this.options.reconnect !== false) this.reconnectLater();
    throw failure;
  }

  /** One socket to the current URL; an attempt that never opens moves on to the next URL. */
  private async attempt(): Promise<void> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    const Impl = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) throw new Error('no WebSocket implementation: pass options.WebSocket');
    const base = this.urls[this.at];
    const sep = base.includes('?') ? '&' : '?';
    const ws = new Impl(`${base.replace(/\/$/, '')}${this.path}${sep}access_token=${encodeURIComponent(token)}`, [SUBPROTOCOLS[this.encoding]]);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.delay = this.options.initialDelayMs ?? 250;
        resolve();
        for (const h of this.openHandlers) h();
      };
      ws.onerror = () => {
        if (!opened) reject(new Error('connection failed'));
      };
      ws.onclose = (ev) => {
        if (opened) return this.onClose(ev.code);
        // A standby refused it, or nobody answered: the next attempt tries the next URL.
        this.at = (this.at + 1) % this.urls.length;
        if (this.ws === ws) this.ws = null;
        reject(new Error(`connection closed (${ev.code})`));
      };
      ws.onmessage = (ev) => this.onMessage(ev.data);
    });
  }

  /** Whether the socket is open now. */
  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === 1;
  }

  /** Sends a request; resolves with the response body, rejects with a SwitchboardError. */
  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ws = this.ws;
    if (ws?.readyState !== 1) return Promise.reject(new SwitchboardError('DISCONNECTED', 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SwitchboardError('TIMEOUT', 'no response in time'));
      }, this.options.requestTimeoutMs ?? 10_000);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(encodeFrame({ id, ...body }, this.encoding));
    });
  }

  onPush(handler: (p: Push) => void): () => void {
    this.pushHandlers.add(handler);
    return () => this.pushHandlers.delete(handler);
  }

  /** Called after every successful (re)connection. */
  onOpen(handler: () => void): () => void {
    this.openHandlers.add(handler);
    return () => this.openHandlers.delete(handler);
  }

  close(): void {
    this.closedByUser = true;
    this.ws?.close(1000, 'bye');
  }

  private onMessage(data: unknown): void {
    const frame = typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer);
    const d = decodeFrame(frame, this.encoding);
    if (!d.ok) return;
    const msg = d.value as Record<string, unknown>;
    if (typeof msg.push === 'string') {
      for (const h of this.pushHandlers) h(msg as Push);
      return;
    }
    const p = typeof msg.re === 'number' ? this.pending.get(msg.re) : undefined;
    if (!p) return;
    this.pending.delete(msg.re as number);
    clearTimeout(p.timer);
    if (msg.ok === true) p.resolve(msg);
    else {
      const { re: _re, ok: _ok, code, message, ...details } = msg;
      p.reject(new SwitchboardError(String(code), String(message), details));
    }
  }

  private onClose(code: number): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SwitchboardError('DISCONNECTED', `connection closed (${code})`));
      this.pending.delete(id);
    }
    this.ws = null;
    // The server says the tenant moved to another server (1012): try the next URL first.
    if (code === 1012) this.at = (this.at + 1) % this.urls.length;
    // Policy closes and expired tokens are not retried blindly: the token provider is asked again.
    if (this.closedByUser || this.options.reconnect === false) return;
    this.reconnectLater();
  }

  private reconnectLater(): void {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 10_000);
    setTimeout(() => {
      if (!this.closedByUser && !this.connected) this.connect().catch(() => undefined);
    }, wait);
  }
}
