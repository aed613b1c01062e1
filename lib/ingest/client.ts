/**
 * A reference client of the ingest protocol, for scripts, tests and the benchmark. Every request
 * on a socket gets exactly one answer, in order, so answers are matched to requests first in,
 * first out.
 */
import { chunkFrame } from "./wire.ts";

/** A message from the server. */
export interface ServerMessage {
  type: string;
  [key: string]: unknown;
}

/** How the socket closed. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** One ingest connection. */
export class IngestClient {
  readonly ws: WebSocket;
  /** The server's `ready` answer. */
  ready!: { nextSeq: number; durableSeq: number };
  /** The last `durableSeq` the server reported. */
  durableSeq = -1;
  /** Every message received, in order. */
  readonly received: ServerMessage[] = [];
  /** Resolves when the socket closes. */
  readonly closed: Promise<CloseInfo>;
  #waiting: { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }[] = [];
  #closeInfo: CloseInfo | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        this.#closeInfo = { code: e.code, reason: e.reason };
        for (const w of this.#waiting.splice(0)) {
          w.reject(new Error(`socket closed (${e.code} ${e.reason})`));
        }
        resolve(this.#closeInfo);
      });
    });
    ws.addEventListener("message", (e) => {
      const msg = JSON.parse(String(e.data)) as ServerMessage;
      this.received.push(msg);
      if (typeof msg.durableSeq === "number") this.durableSeq = msg.durableSeq;
      this.#waiting.shift()?.resolve(msg);
    });
  }

  /** Opens a socket without saying hello (tests of bad input use this). */
  static async open(url: string): Promise<IngestClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
        once: true,
      });
    });
    return new IngestClient(ws);
  }

  /** Opens a socket and says hello; throws when the server refuses. */
  static async connect(url: string, token: string): Promise<IngestClient> {
    const client = await IngestClient.open(url);
    const answer = await client.request(JSON.stringify({ type: "hello", token }));
    if (answer.type !== "ready") {
      throw new Error(`ingest refused: ${JSON.stringify(answer)}`);
    }
    client.ready = { nextSeq: answer.nextSeq as number, durableSeq: answer.durableSeq as number };
    client.durableSeq = client.ready.durableSeq;
    return client;
  }

  /** Sends a raw frame and returns the answer to it. */
  request(frame: string | Uint8Array): Promise<ServerMessage> {
    if (this.#closeInfo) {
      return Promise.reject(new Error(`socket closed (${this.#closeInfo.code})`));
    }
    const answer = new Promise<ServerMessage>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
    this.ws.send(frame);
    return answer;
  }

  /** Sends chunk `seq` and returns its answer (an `ack`, or an `error`). */
  chunk(seq: number, bytes: Uint8Array): Promise<ServerMessage> {
    return this.request(chunkFrame(seq, bytes));
  }

  /** Sends `finish`; resolves with the answer (`done`, or an `error`). */
  finish(lastSeq: number, durationMs?: number): Promise<ServerMessage> {
    return this.request(JSON.stringify({ type: "finish", lastSeq, durationMs }));
  }

  /** Bytes queued on the socket and not yet sent. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Closes the socket (1000) and waits for it to close. */
  async close(): Promise<CloseInfo> {
    if (!this.#closeInfo) this.ws.close(1000);
    return await this.closed;
  }
}

/**
 * Creates a recording through `POST /api/videos`, as the person whose session cookie `auth`
 * carries (`vf_session=…`, from `POST /api/auth/login`).
 */
export async function createRecording(
  baseUrl: string,
  body: { title?: string; mimeType: string } = { mimeType: "video/webm;codecs=vp9,opus" },
  auth: { cookie: string } | null = null,
): Promise<{ id: string; uploadToken: string; ingestUrl: string }> {
  const res = await fetch(`${baseUrl}/api/videos`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { cookie: auth.cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return await res.json();
}

/**
 * Streams `chunks` from `startSeq` with up to `window` chunks unacknowledged, as a recorder that
 * sends as fast as acks allow. Throws on any answer that is not an ack.
 */
export async function sendChunks(
  client: IngestClient,
  chunks: Uint8Array[],
  startSeq = 0,
  window = 4,
): Promise<void> {
  const inFlight: Promise<ServerMessage>[] = [];
  for (let seq = startSeq; seq < chunks.length; seq++) {
    inFlight.push(client.chunk(seq, chunks[seq]));
    if (inFlight.length >= window) expectAck(await inFlight.shift()!);
  }
  for (const p of inFlight) expectAck(await p);
}

function expectAck(msg: ServerMessage): void {
  if (msg.type !== "ack") throw new Error(`expected an ack, got ${JSON.stringify(msg)}`);
}

/**
 * Creates an account (or, when the email is taken, signs in to it) and returns its session
 * cookie, `vf_session=…`, for {@link createRecording}.
 */
export async function signIn(
  baseUrl: string,
  account: { email: string; password: string; name: string },
): Promise<{ cookie: string }> {
  for (const path of ["/api/auth/signup", "/api/auth/login"]) {
    const res = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(account),
    });
    await res.body?.cancel();
    const session = /vf_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    if (res.ok && session) return { cookie: `vf_session=${session}` };
    if (res.status !== 409) throw new Error(`${path} failed: ${res.status}`);
  }
  throw new Error("could not sign in");
}
