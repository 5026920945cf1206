import { mergeRows, windowId } from "./merge-windows.ts";
import type { Window, WindowRow } from "./window-types.ts";

/** What a browser receives: a full snapshot of recent windows, or the windows one upstream batch changed. */
export interface HubMessage {
  id: string;
  type: "snapshot" | "update";
  windows: Window[];
}

export interface LiveHubOptions {
  /** How many recent updates are kept for Last-Event-ID replay. */
  ringSize: number;
  /** Messages a client may have pending before it is dropped (it reconnects and resumes). */
  clientQueueSize: number;
  /** Windows starting this long before the newest one are forgotten. */
  retentionMs: number;
  /** Distinguishes this process's sequence from a previous one's, so stale ids get a snapshot. */
  epoch?: string;
  /** Clients admit() lets in at once (unbounded by default). */
  maxClients?: number;
}

interface RingEntry {
  seq: number;
  windows: Window[];
}

const windowsJson = new WeakMap<HubMessage, string>();
const messageJson = new WeakMap<HubMessage, string>();

/**
 * A message's windows as JSON, serialized once however many clients it is sent to: with a thousand
 * subscribers, stringifying per client was the fan-out's main cost.
 */
export function windowsJsonOf(m: HubMessage): string {
  let json = windowsJson.get(m);
  if (json === undefined) {
    json = JSON.stringify(m.windows);
    windowsJson.set(m, json);
  }
  return json;
}

const sseFrame = new WeakMap<HubMessage, Uint8Array>();
const encoder = new TextEncoder();

/**
 * A message as one server-sent event (`event`, `data`: the windows' JSON, which has no line breaks, `id`),
 * encoded to bytes once for every client it is written to.
 */
export function sseFrameOf(m: HubMessage): Uint8Array {
  let frame = sseFrame.get(m);
  if (frame === undefined) {
    frame = encoder.encode(`event: ${m.type}\ndata: ${windowsJsonOf(m)}\nid: ${m.id}\n\n`);
    sseFrame.set(m, frame);
  }
  return frame;
}

/** The whole message as JSON (the WebSocket frame), serialized once. */
export function messageJsonOf(m: HubMessage): string {
  let json = messageJson.get(m);
  if (json === undefined) {
    json = `{"id":${JSON.stringify(m.id)},"type":${JSON.stringify(m.type)},"windows":${windowsJsonOf(m)}}`;
    messageJson.set(m, json);
  }
  return json;
}

/** What a live client is told when WEB_LIVE_MAX_CLIENTS are connected already (with a 503). */
export const LIVE_RETRY_AFTER_SEC = 5;
export function liveClientsFull(max: number): string {
  return `too many live clients (${max}, WEB_LIVE_MAX_CLIENTS): try again in ${LIVE_RETRY_AFTER_SEC} s`;
}

/**
 * Fans one upstream subscription out to many clients. Event ids are `epoch.seq`: seq grows by one per
 * upstream batch, so a client that reconnects with its last id gets exactly the batches after it from
 * the ring (or a fresh snapshot when the ring no longer reaches back that far).
 */
export class LiveHub {
  readonly epoch: string;
  private seq = 0;
  private readonly ring: RingEntry[] = [];
  private readonly rows = new Map<string, Map<number, WindowRow>>();
  private readonly merged = new Map<string, Window>();
  private readonly clients = new Set<HubClient>();
  private newestStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: LiveHubOptions) {
    this.epoch = opts.epoch ?? Date.now().toString(36);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get lastId(): string {
    return `${this.epoch}.${this.seq}`;
  }

  ingest(batch: readonly WindowRow[]): void {
    const touched = new Set<string>();
    for (const r of batch) {
      this.newestStart = Math.max(this.newestStart, r.windowStart);
      if (r.windowStart < this.horizon()) continue;
      const id = windowId(r);
      let parts = this.rows.get(id);
      if (!parts) {
        parts = new Map();
        this.rows.set(id, parts);
      }
      const prev = parts.get(r.partition);
      if (prev && sameRow(prev, r)) continue;
      parts.set(r.partition, r);
      touched.add(id);
    }
    this.evict();
    const windows: Window[] = [];
    for (const id of touched) {
      const parts = this.rows.get(id);
      if (!parts) continue;
      const w = mergeRows([...parts.values()]);
      this.merged.set(id, w);
      windows.push(w);
    }
    if (windows.length === 0) return;
    this.seq += 1;
    this.ring.push({ seq: this.seq, windows });
    if (this.ring.length > this.opts.ringSize) this.ring.shift();
    const msg: HubMessage = { id: this.lastId, type: "update", windows };
    for (const c of this.clients) c.push(msg);
  }

  snapshot(): HubMessage {
    const windows = [...this.merged.values()].sort((a, b) => a.windowStart - b.windowStart);
    return { id: this.lastId, type: "snapshot", windows };
  }

  /** Registers a client like connect(), or returns null when maxClients are connected already. */
  admit(lastEventId?: string | null): HubClient | null {
    if (this.clients.size >= (this.opts.maxClients ?? Number.POSITIVE_INFINITY)) return null;
    return this.connect(lastEventId);
  }

  get maxClients(): number {
    return this.opts.maxClients ?? Number.POSITIVE_INFINITY;
  }

  /** Registers a client; it first receives either the missed updates or a snapshot. */
  connect(lastEventId?: string | null): HubClient {
    const client = new HubClient(this.opts.clientQueueSize, (c) => this.clients.delete(c));
    for (const m of this.catchUp(lastEventId)) client.push(m);
    this.clients.add(client);
    client.onClose(() => this.clients.delete(client));
    return client;
  }

  private catchUp(lastEventId?: string | null): HubMessage[] {
    const last = parseEventId(lastEventId);
    if (!last || last.epoch !== this.epoch || last.seq > this.seq) return [this.snapshot()];
    if (last.seq === this.seq) return [];
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    // More missed updates than the client may queue would drop it at once, and again on every retry.
    if (last.seq < oldest - 1 || this.seq - last.seq > this.opts.clientQueueSize) return [this.snapshot()];
    return this.ring
      .filter((e) => e.seq > last.seq)
      .map((e) => ({ id: `${this.epoch}.${e.seq}`, type: "update" as const, windows: e.windows }));
  }

  private horizon(): number {
    return this.newestStart - this.opts.retentionMs;
  }

  private evict(): void {
    const horizon = this.horizon();
    for (const [id, w] of this.merged) {
      if (w.windowStart >= horizon) continue;
      this.merged.delete(id);
      this.rows.delete(id);
    }
  }
}

function sameRow(a: WindowRow, b: WindowRow): boolean {
  return (
    a.count === b.count &&
    a.sumAge === b.sumAge &&
    a.minAge === b.minAge &&
    a.maxAge === b.maxAge &&
    a.final === b.final &&
    a.windowEnd === b.windowEnd
  );
}

function parseEventId(id?: string | null): { epoch: string; seq: number } | null {
  const m = /^([0-9a-z]{1,20})\.(\d{1,15})$/.exec(id ?? "");
  if (!m?.[1] || !m[2]) return null;
  return { epoch: m[1], seq: Number(m[2]) };
}

/**
 * Delivers one message to a client's transport without waiting (an SSE stream's queue, a WebSocket's
 * buffer); false when that transport holds more than it may (the client is not reading fast enough).
 */
export type ClientSink = (m: HubMessage) => boolean;

/**
 * One connected browser. The hub hands each message to the client's transport at once, in the same turn
 * (no per-client task or promise), so a broadcast costs one write per client of bytes encoded once; a client
 * whose transport backs up is dropped instead of holding the others back. Until its transport is attached,
 * messages wait in a queue of `capacity`.
 */
export class HubClient {
  private queue: HubMessage[] = [];
  private sink: ClientSink | null = null;
  private closed = false;
  private closeHooks: (() => void)[] = [];
  dropped = false;

  constructor(
    /** Messages the client may have waiting, here or in its transport, before it is dropped. */
    readonly capacity: number,
    private readonly onOverflow: (c: HubClient) => void,
  ) {}

  push(m: HubMessage): void {
    if (this.closed) return;
    if (this.sink ? !this.sink(m) : this.queue.push(m) > this.capacity) this.drop();
  }

  /** From now on messages go to `sink` as they come, the queued ones first. */
  attach(sink: ClientSink): void {
    if (this.closed) return;
    this.sink = sink;
    const queued = this.queue;
    this.queue = [];
    for (const m of queued) if (!this.closed) this.push(m);
  }

  onClose(hook: () => void): void {
    if (this.closed) hook();
    else this.closeHooks.push(hook);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.sink = null;
    for (const h of this.closeHooks) h();
  }

  private drop(): void {
    this.dropped = true;
    this.onOverflow(this);
    this.close();
  }
}
