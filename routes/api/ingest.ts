/**
 * The ingest protocol: the WebSocket at `/api/videos/{id}/ingest` and its HTTP fallback
 * (`PUT .../chunks/{seq}`, `POST .../finish`, `POST .../cancel`).
 */
import { SerialQueue } from "../../lib/serial.ts";
import type { AppEnv } from "../../lib/auth/middleware.ts";
import type { VideoRow } from "../../lib/videos/mod.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { WSContext } from "hono/ws";
import type { AppContext } from "../../lib/context.ts";
import { bearerToken, isUuid, readJson } from "../../lib/http.ts";
import { socketRoute } from "../../lib/websocket.ts";
import { CloseCode, IngestError, ingestErrors } from "../../lib/ingest/errors.ts";
import { finishBodySchema, parseChunkFrame, parseTextMessage } from "../../lib/ingest/protocol.ts";
import type { IngestSession } from "../../lib/ingest/session.ts";
import { tokenMatches } from "../../lib/tokens.ts";

/** Checks the id and token and opens the video's session. */
async function authorize(app: AppContext, id: string, token: unknown): Promise<IngestSession> {
  if (!isUuid(id)) throw ingestErrors.notFound("malformed video id");
  const [video] = await app.db.sql<
    Pick<VideoRow, "upload_token_hash">[]
  >`SELECT upload_token_hash FROM videos WHERE id = ${id}`;
  if (!video) throw ingestErrors.notFound();
  if (!tokenMatches(token, video.upload_token_hash)) throw ingestErrors.token();
  return await app.ingest.open(id.toLowerCase());
}

function errorOf(err: unknown): IngestError {
  if (err instanceof IngestError) return err;
  console.error("ingest:", err);
  return ingestErrors.storage(err);
}

/** One ingest socket: hello, then chunks and a finish or cancel, processed in arrival order. */
class IngestSocket {
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
        this.#fail(errorOf(err));
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
        const session = await authorize(this.app, this.id, msg.token);
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

async function httpIngest(c: Context, fn: () => Promise<Record<string, unknown>>) {
  try {
    return c.json(await fn());
  } catch (err) {
    const e = errorOf(err);
    return c.json(e.toMessage(), e.httpStatus as 400);
  }
}

/** The ingest routes, mounted under `/api/videos`. */
export function ingestRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get(
    "/:id/ingest",
    ...socketRoute(app, (c, ws) => new IngestSocket(app, c.req.param("id") ?? "", ws)),
  );

  routes.put(
    "/:id/chunks/:seq",
    bodyLimit({
      maxSize: app.config.ingestMaxChunkBytes,
      onError: (c) => {
        const e = ingestErrors.tooLarge(
          `the chunk is over INGEST_MAX_CHUNK_BYTES (${app.config.ingestMaxChunkBytes})`,
        );
        return c.json(e.toMessage(), 413);
      },
    }),
    (c) =>
      httpIngest(c, async () => {
        const raw = c.req.param("seq");
        if (!/^\d{1,10}$/.test(raw) || Number(raw) > 0xffffffff) {
          throw ingestErrors.protocol("seq must be a whole number below 2^32");
        }
        const session = await authorize(app, c.req.param("id"), bearerToken(c));
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        const progress = await app.ingest.chunk(session, Number(raw), bytes);
        return { type: "ack", seq: Number(raw), durableSeq: progress.durableSeq };
      }),
  );

  routes.post("/:id/finish", (c) =>
    httpIngest(c, async () => {
      const session = await authorize(app, c.req.param("id"), bearerToken(c));
      let body;
      try {
        body = await readJson(c, finishBodySchema);
      } catch (err) {
        throw ingestErrors.protocol(err instanceof Error ? err.message : String(err));
      }
      await app.ingest.finish(session, body.lastSeq, body.durationMs ?? null);
      return { type: "done", id: session.videoId };
    }));

  routes.post("/:id/cancel", (c) =>
    httpIngest(c, async () => {
      const session = await authorize(app, c.req.param("id"), bearerToken(c));
      await app.ingest.cancel(session);
      return { type: "cancelled", id: session.videoId };
    }));

  return routes;
}
