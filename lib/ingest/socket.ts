/**
 * The ingest socket's state machine: hello (the upload token), then chunks and a finish or cancel,
 * handled one at a time in arrival order, with the protocol's errors and close codes. The route
 * (`routes/api/ingest.ts`) only wires it to the WebSocket and to the HTTP fallback.
 */
import type { WSContext } from "hono/ws";
import type { AppContext } from "../context.ts";
import { isUuid } from "../http.ts";
import { SerialQueue } from "../serial.ts";
import { tokenMatches } from "../tokens.ts";
import type { VideoRow } from "../videos/mod.ts";
import { CloseCode, IngestError, ingestErrors } from "./errors.ts";
import { parseChunkFrame, parseTextMessage } from "./protocol.ts";
import type { IngestSession } from "./session.ts";

/** Checks the id and token and opens the video's session. */
export async function authorizeIngest(
  app: AppContext,
  id: string,
  token: unknown,
): Promise<IngestSession> {
  if (!isUuid(id)) throw ingestErrors.notFound("malformed video id");
  const [video] = await app.db.sql<
    Pick<VideoRow, "upload_token_hash">[]
  >`SELECT upload_token_hash FROM videos WHERE id = ${id}`;
  if (!video) throw ingestErrors.notFound();
  if (!tokenMatches(token, video.upload_token_hash)) throw ingestErrors.token();
  return await app.ingest.open(id.toLowerCase());
}

export function ingestErrorOf(err: unknown): IngestError {
  if (err instanceof IngestError) return err;
  console.error("ingest:", err);
  return ingestErrors.storage(err);
}

/** One ingest socket: hello, then chunks and a finish or cancel, processed in arrival order. */
export class IngestSocket {
  #session: IngestSession | null = null;
  readonly #queue = new SerialQueue();
  #backlog = 0;
  #closed = false;

  constructor(readonly app: AppContext, readonly id: string, readonly ws: WSContext) {}

  receive(data: string | ArrayBuffer | Uint8Array): void {
    if (this.#closed) return;
    const size = typeof data === "string" ? data.length : data.byteLength;
    this.#backlog += size;
    // About a part and a chunk may wait; a client sending further ahead of the acks is refused.
    if (this.#backlog > this.app.config.ingestPartBytes + this.app.config.ingestMaxChunkBytes) {
      this.#fail(
        ingestErrors.tooLarge("too many bytes waiting: wait for acks before sending more"),
      );
      return;
    }
    this.#queue.run(async () => {
      try {
        if (!this.#closed) await this.#handle(data);
      } catch (err) {
        this.#fail(ingestErrorOf(err));
      } finally {
        this.#backlog -= size;
      }
    });
  }

  async #handle(data: string | ArrayBuffer | Uint8Array): Promise<void> {
    if (typeof data === "string") {
      const msg = parseTextMessage(data);
      if (msg.type === "hello") {
        if (this.#session) throw ingestErrors.protocol("hello was already sent");
        const session = await authorizeIngest(this.app, this.id, msg.token);
        // The socket may have closed while the session loaded: then it must not count as one.
        if (this.#closed) return;
        this.#session = session;
        session.connections++;
        this.#send({ type: "ready", ...this.#session.progress });
        return;
      }
      const session = this.#requireSession();
      if (msg.type === "finish") {
        try {
          await this.app.ingest.finish(session, msg.lastSeq, msg.durationMs ?? null);
        } catch (err) {
          if (err instanceof IngestError && !err.fatal) return this.#send(err.toMessage());
          throw err;
        }
        this.#send({ type: "done", id: session.videoId });
        this.#close(CloseCode.normal, "done");
      } else {
        await this.app.ingest.cancel(session);
        this.#send({ type: "cancelled", id: session.videoId });
        this.#close(CloseCode.normal, "cancelled");
      }
      return;
    }
    const session = this.#requireSession();
    const { seq, bytes } = parseChunkFrame(
      data instanceof Uint8Array ? data : new Uint8Array(data),
    );
    try {
      const progress = await this.app.ingest.chunk(session, seq, bytes);
      this.#send({ type: "ack", seq, durableSeq: progress.durableSeq });
    } catch (err) {
      if (err instanceof IngestError && !err.fatal) return this.#send(err.toMessage());
      throw err;
    }
  }

  #requireSession(): IngestSession {
    if (!this.#session) throw ingestErrors.protocol("send hello with the upload token first");
    return this.#session;
  }

  #send(msg: Record<string, unknown>): void {
    if (this.ws.readyState === 1) this.ws.send(JSON.stringify(msg));
  }

  #fail(err: IngestError): void {
    this.#send(err.toMessage());
    this.#close(err.closeCode, err.code);
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.ws.close(code, reason);
    this.detach();
  }

  /** Called when the socket goes away. */
  detach(): void {
    this.#closed = true;
    if (this.#session) this.#session.connections--;
    this.#session = null;
  }
}
