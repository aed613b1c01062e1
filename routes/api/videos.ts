/** The videos API: create a recording, list, get (with a playback URL), rename, delete. */
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import type { AppContext } from "../../lib/context.ts";
import { ApiError, bearerToken, readJson, videoIdParam } from "../../lib/http.ts";
import { tokenMatches } from "../../lib/tokens.ts";
import { rateLimit } from "../../lib/rate_limit.ts";
import {
  createRecording,
  deleteVideo,
  getVideo,
  isAcceptedMimeType,
  listVideos,
  markDeleting,
  renameVideo,
  videoJson,
  type VideoRow,
} from "../../lib/videos.ts";

const titleSchema = z.string().trim().max(200, "title is longer than 200 characters");

const createSchema = z.object({
  title: titleSchema.nullish(),
  mimeType: z.string().max(200).refine(isAcceptedMimeType, {
    message:
      'is not a recordable type: use video/webm (e.g. "video/webm;codecs=vp9,opus") or video/mp4',
  }),
});

const patchSchema = z.object({ title: titleSchema });

/** The app's origin as the client reached it, or `PUBLIC_URL`. */
export function requestOrigin(app: AppContext, c: Context): string {
  return app.config.publicUrl ?? new URL(c.req.url).origin;
}

/** The video of the `:id` parameter; 404 when there is none to show. */
export async function loadVideo(app: AppContext, c: Context): Promise<VideoRow> {
  const video = await getVideo(app.db.sql, videoIdParam(c));
  if (!video || video.status === "cancelled" || video.status === "deleting") {
    throw new ApiError(404, "not_found", "no such video");
  }
  return video;
}

/** A whole-number query parameter, clamped; anything unparsable gives the default. */
function intQuery(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = Math.trunc(Number(raw));
  return raw === undefined || !Number.isFinite(n) ? fallback : Math.min(Math.max(n, min), max);
}

/** Until accounts exist, the upload token is what lets a person change their video. */
export function requireOwner(c: Context, video: VideoRow): void {
  const token = bearerToken(c);
  if (!token) throw new ApiError(401, "unauthorized", "send the upload token as a Bearer token");
  if (!tokenMatches(token, video.upload_token_hash)) {
    throw new ApiError(403, "forbidden", "the token does not own this video");
  }
}

/** The videos routes, mounted under `/api/videos`. */
export function videoRoutes(app: AppContext): Hono {
  const routes = new Hono();
  const { sql } = app.db;

  const limit = rateLimit(app.limits.recordings, app.config.trustProxy, "new recordings");
  routes.post("/", limit, async (c) => {
    const body = await readJson(c, createSchema);
    const { id, uploadToken } = await createRecording(sql, app.storage, {
      title: body.title || null,
      mimeType: body.mimeType,
      partBytes: app.config.ingestPartBytes,
    });
    const origin = requestOrigin(app, c).replace(/^http/, "ws");
    return c.json({ id, uploadToken, ingestUrl: `${origin}/api/videos/${id}/ingest` }, 201);
  });

  routes.get("/", async (c) => {
    const limit = intQuery(c.req.query("limit"), 100, 1, 500);
    const offset = intQuery(c.req.query("offset"), 0, 0, 1_000_000);
    const rows = await listVideos(sql, limit, offset);
    const origin = requestOrigin(app, c);
    return c.json(
      await Promise.all(rows.map((v) => videoJson(v, { signer: app.playback, origin }))),
    );
  });

  routes.get("/:id", async (c) => {
    const video = await loadVideo(app, c);
    return c.json(await videoJson(video, { signer: app.playback, origin: requestOrigin(app, c) }));
  });

  routes.patch("/:id", async (c) => {
    const video = await loadVideo(app, c);
    requireOwner(c, video);
    const body = await readJson(c, patchSchema);
    const updated = await renameVideo(sql, video.id, body.title);
    if (!updated) throw new ApiError(404, "not_found", "no such video");
    return c.json(
      await videoJson(updated, { signer: app.playback, origin: requestOrigin(app, c) }),
    );
  });

  routes.delete("/:id", async (c) => {
    const video = await loadVideo(app, c);
    requireOwner(c, video);
    if (!(await markDeleting(sql, video.id))) {
      throw new ApiError(404, "not_found", "no such video");
    }
    await app.ingest.retire(video.id);
    await app.rooms.drop(video.id);
    await deleteVideo(sql, app.storage, video.id);
    return c.body(null, 204);
  });

  return routes;
}
