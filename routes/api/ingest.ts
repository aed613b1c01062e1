/**
 * The ingest protocol: the WebSocket at `/api/videos/{id}/ingest` and its HTTP fallback
 * (`PUT .../chunks/{seq}`, `POST .../finish`, `POST .../cancel`).
 */
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppContext } from "../../lib/context.ts";
import { bearerToken, readJson } from "../../lib/http.ts";
import { socketRoute } from "../../lib/websocket.ts";
import { ingestErrors } from "../../lib/ingest/errors.ts";
import { finishBodySchema } from "../../lib/ingest/protocol.ts";
import { authorizeIngest, ingestErrorOf, IngestSocket } from "../../lib/ingest/socket.ts";

async function httpIngest(c: Context, fn: () => Promise<Record<string, unknown>>) {
  try {
    return c.json(await fn());
  } catch (err) {
    const e = ingestErrorOf(err);
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
        const session = await authorizeIngest(app, c.req.param("id"), bearerToken(c));
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        const progress = await app.ingest.chunk(session, Number(raw), bytes);
        return { type: "ack", seq: Number(raw), durableSeq: progress.durableSeq };
      }),
  );

  routes.post("/:id/finish", (c) =>
    httpIngest(c, async () => {
      const session = await authorizeIngest(app, c.req.param("id"), bearerToken(c));
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
      const session = await authorizeIngest(app, c.req.param("id"), bearerToken(c));
      await app.ingest.cancel(session);
      return { type: "cancelled", id: session.videoId };
    }));

  return routes;
}
