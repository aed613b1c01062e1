/**
 * The recorder's side of the ingest protocol: sends chunks in seq order over the WebSocket,
 * reconnects with backoff and resumes at the server's `nextSeq`, falls back to HTTP PUT when
 * WebSockets do not work, and keeps every chunk above `durableSeq` (in memory and IndexedDB).
 */
import type { StoredRecording, UploadStore } from "./store.ts";
import { chunkFrame, type ServerMessage } from "../../lib/ingest/wire.ts";

/** What the recorder shows about the upload. */
export interface UploadState {
  connection: "connecting" | "connected" | "reconnecting" | "http" | "done" | "failed";
  bytesSent: number;
  bytesDurable: number;
  /** Chunks recorded but not yet acknowledged. */
  backlog: number;
  error: string | null;
}

/** How the uploader reaches the server: the browser's WebSocket and fetch, or a test's. */
export interface Transport {
  openSocket(url: string): WebSocket;
  fetch: typeof fetch;
}

const browserTransport: Transport = {
  openSocket: (url) => new WebSocket(url),
  fetch: (input, init) => fetch(input, init),
};

/** Unacknowledged chunks allowed on the wire at once. */
const WINDOW = 4;
/** Failed connection attempts (never opened) before switching to HTTP. */
const WS_ATTEMPTS_BEFORE_HTTP = 3;

function frame(seq: number, bytes: ArrayBuffer): Uint8Array<ArrayBuffer> {
  return chunkFrame(seq, new Uint8Array(bytes));
}

/** Uploads one recording. */
export class Uploader {
  #ws: WebSocket | null = null;
  #ready = false;
  #http = false;
  #failedOpens = 0;
  #everOpened = false;
  #backoffMs = 500;
  #mem = new Map<number, Blob>();
  #sizes = new Map<number, number>();
  #highest: number;
  #nextToSend = 0;
  #acked = -1;
  #durableSeq = -1;
  #inflight = 0;
  #pumping = false;
  /** A pump was asked for while one ran: it runs again when that one ends. */
  #pumpAgain = false;
  #finish: { lastSeq: number; durationMs: number; sent: boolean } | null = null;
  #settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  #stopped = false;
  state: UploadState = {
    connection: "connecting",
    bytesSent: 0,
    bytesDurable: 0,
    backlog: 0,
    error: null,
  };

  constructor(
    readonly rec: StoredRecording,
    readonly store: UploadStore,
    readonly onState: (s: UploadState) => void,
    readonly transport: Transport = browserTransport,
  ) {
    this.#highest = rec.lastSeq;
    // Chunks up to what the server last reported durable are gone from this browser's storage.
    this.#durableSeq = rec.durableSeq ?? -1;
    this.#acked = this.#durableSeq;
    this.#nextToSend = this.#durableSeq + 1;
  }

  #emit(patch: Partial<UploadState> = {}) {
    this.state = { ...this.state, ...patch, backlog: Math.max(0, this.#highest - this.#acked) };
    this.onState(this.state);
  }

  /** Starts uploading (connects). */
  start(): void {
    this.#connect();
  }

  /**
   * Adds a freshly recorded chunk: it is sent at once from memory, and saved to IndexedDB so a
   * reload can finish the upload. A storage failure is reported, not fatal.
   */
  async add(seq: number, data: Blob): Promise<void> {
    if (this.#stopped) return;
    this.#mem.set(seq, data);
    this.#sizes.set(seq, data.size);
    this.#highest = Math.max(this.#highest, seq);
    this.rec.lastSeq = this.#highest;
    this.#emit();
    this.#pump();
    try {
      await this.store.putChunk(this.rec, seq, data);
    } catch {
      this.#emit({ error: "This browser could not save a chunk: a reload now would lose it." });
    }
  }

  /** Sends `finish` once every chunk up to `lastSeq` is acknowledged; resolves on `done`. */
  finish(lastSeq: number, durationMs: number): Promise<void> {
    if (this.state.connection === "failed") {
      return Promise.reject(new Error(this.state.error ?? "the upload failed"));
    }
    this.#finish = { lastSeq, durationMs, sent: false };
    const done = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#maybeFinish();
    return done;
  }

  /** Gives up: closes the socket, keeps what is stored. */
  stop(): void {
    this.#stopped = true;
    this.#ws?.close(1000);
  }

  #connect(): void {
    if (this.#stopped) return;
    if (this.#http) return void this.#pumpHttp();
    let ws: WebSocket;
    try {
      ws = this.transport.openSocket(this.rec.ingestUrl);
    } catch {
      // Refused outright (e.g. ws: from an https: page): HTTP is the way.
      this.#http = true;
      return void this.#pumpHttp();
    }
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    this.#ready = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#everOpened = true;
      this.#failedOpens = 0;
      ws.send(JSON.stringify({ type: "hello", token: this.rec.token }));
    };
    ws.onmessage = (e) => this.#onMessage(JSON.parse(String(e.data)));
    ws.onclose = (e) => {
      this.#ready = false;
      this.#inflight = 0;
      if (this.#stopped || this.state.connection === "done") return;
      // Finished already: the finish was received, only its answer was lost.
      if (e.code === 4409 && this.#finish?.sent) return void this.#done();
      // 44xx: the server will answer the same again; 4503 and network failures are worth a retry.
      if (e.code >= 4400 && e.code < 4500) {
        this.#fail(`the server refused the upload (${e.reason || e.code})`);
        return;
      }
      // WebSockets that never open (a proxy that drops them) mean HTTP; a network outage after
      // they worked once means waiting for the network.
      if (!opened && !this.#everOpened && ++this.#failedOpens >= WS_ATTEMPTS_BEFORE_HTTP) {
        this.#http = true;
      }
      this.#emit({ connection: this.#http ? "http" : "reconnecting" });
      setTimeout(() => this.#connect(), this.#backoffMs);
      this.#backoffMs = Math.min(this.#backoffMs * 2, 8000);
    };
  }

  #fail(message: string) {
    this.#emit({ connection: "failed", error: message });
    this.#settle?.reject(new Error(message));
    this.#settle = null;
  }

  #onMessage(msg: ServerMessage) {
    if ("durableSeq" in msg) this.#durable(msg.durableSeq);
    switch (msg.type) {
      case "ready":
        this.#ready = true;
        this.#backoffMs = 500;
        // The server's word: after a restart it may hold less than it acknowledged before.
        this.#nextToSend = msg.nextSeq;
        this.#acked = msg.nextSeq - 1;
        this.#emit({ connection: "connected", error: null });
        if (this.#finish) this.#finish.sent = false;
        this.#pump();
        this.#maybeFinish();
        break;
      case "ack":
        this.#inflight = Math.max(0, this.#inflight - 1);
        this.#onAck(msg.seq);
        this.#pump();
        break;
      case "error":
        if (msg.code === "gap" && msg.expected !== undefined) {
          this.#inflight = 0;
          this.#nextToSend = msg.expected;
          this.#acked = Math.min(this.#acked, msg.expected - 1);
          if (this.#finish) this.#finish.sent = false;
          this.#pump();
        } else {
          this.#emit({ error: String(msg.message) });
        }
        break;
      case "done":
        this.#done();
        break;
    }
  }

  #onAck(seq: number) {
    if (seq > this.#acked) {
      for (let s = this.#acked + 1; s <= seq; s++) this.state.bytesSent += this.#sizes.get(s) ?? 0;
      this.#acked = seq;
    }
    this.#emit();
    this.#maybeFinish();
  }

  #durable(d: number) {
    if (d <= this.#durableSeq) return;
    for (let s = this.#durableSeq + 1; s <= d; s++) {
      this.state.bytesDurable += this.#sizes.get(s) ?? 0;
      this.#mem.delete(s);
    }
    this.#durableSeq = d;
    this.rec.durableSeq = d;
    this.store.saveRecording(this.rec).catch(() => {});
    this.store.dropChunksUpTo(this.rec.id, d).catch(() => {});
    this.#emit();
  }

  async #chunk(seq: number): Promise<Blob | null> {
    return this.#mem.get(seq) ?? await this.store.getChunk(this.rec.id, seq);
  }

  /** Sends chunks in order, at most `WINDOW` unacknowledged. One pump runs at a time. */
  async #pump(): Promise<void> {
    if (this.#http) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      while (this.#ready && this.#inflight < WINDOW && this.#nextToSend <= this.#highest) {
        const ws = this.#ws!;
        const seq = this.#nextToSend;
        const blob = await this.#chunk(seq);
        if (!blob) {
          this.#fail(`chunk ${seq} is missing from this browser's storage`);
          return;
        }
        // The socket changed or a gap moved the cursor meanwhile: start over from the new state.
        if (!this.#ready || ws !== this.#ws || this.#nextToSend !== seq) continue;
        this.#sizes.set(seq, blob.size);
        const bytes = await blob.arrayBuffer();
        if (!this.#ready || ws !== this.#ws || this.#nextToSend !== seq) continue;
        ws.send(frame(seq, bytes));
        this.#inflight++;
        this.#nextToSend = seq + 1;
      }
    } finally {
      this.#pumping = false;
      if (this.#pumpAgain) {
        this.#pumpAgain = false;
        this.#pump();
      }
    }
  }

  #maybeFinish() {
    const f = this.#finish;
    if (!f || f.sent || this.#acked < f.lastSeq) return;
    if (this.#http) return;
    if (!this.#ready || !this.#ws) return;
    f.sent = true;
    this.#ws.send(JSON.stringify({ type: "finish", lastSeq: f.lastSeq, durationMs: f.durationMs }));
  }

  async #done() {
    this.#emit({ connection: "done", bytesDurable: this.state.bytesSent, backlog: 0 });
    await this.store.deleteRecording(this.rec.id).catch(() => {});
    this.#settle?.resolve();
    this.#settle = null;
  }

  /** The fallback without WebSockets: PUT each chunk, then POST finish. */
  async #pumpHttp(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const auth = { authorization: `Bearer ${this.rec.token}` };
    // The socket's URL names the server: ws(s)://host/api/videos/{id}/ingest.
    const base = this.rec.ingestUrl.replace(/^ws/, "http").replace(/\/ingest$/, "");
    this.#emit({ connection: "http" });
    try {
      while (!this.#stopped) {
        try {
          if (this.#nextToSend <= this.#highest) {
            const seq = this.#nextToSend;
            const blob = await this.#chunk(seq);
            if (!blob) return this.#fail(`chunk ${seq} is missing from this browser's storage`);
            this.#sizes.set(seq, blob.size);
            const res = await this.transport.fetch(`${base}/chunks/${seq}`, {
              method: "PUT",
              headers: auth,
              body: blob,
            });
            const msg = await res.json();
            if (typeof msg.durableSeq === "number") this.#durable(msg.durableSeq);
            if (msg.type === "ack") {
              this.#nextToSend = seq + 1;
              this.#onAck(seq);
            } else if (msg.code === "gap") {
              this.#nextToSend = msg.expected;
            } else if (msg.code === "storage") {
              throw new Error(String(msg.message)); // retried below, as over the socket
            } else return this.#fail(String(msg.message));
          } else if (this.#finish && this.#acked >= this.#finish.lastSeq) {
            const res = await this.transport.fetch(`${base}/finish`, {
              method: "POST",
              headers: { ...auth, "content-type": "application/json" },
              body: JSON.stringify({
                lastSeq: this.#finish.lastSeq,
                durationMs: this.#finish.durationMs,
              }),
            });
            const msg = await res.json();
            // "finished": an earlier try went through and only its answer was lost.
            if (msg.type === "done" || msg.code === "finished") return void (await this.#done());
            if (msg.code === "storage") throw new Error(String(msg.message));
            return this.#fail(String(msg.message));
          } else {
            await new Promise((r) => setTimeout(r, 250));
          }
          this.#backoffMs = 500;
        } catch {
          // The network is down: wait and try the same request again.
          await new Promise((r) => setTimeout(r, this.#backoffMs));
          this.#backoffMs = Math.min(this.#backoffMs * 2, 8000);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}
