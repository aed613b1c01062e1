/** The videos API: create a recording, list, get (with a playback URL), rename, delete. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../lib/context.ts";
import { ApiError, readJson } from "../../lib/http.ts";
import { loadVideo, requestOrigin, requireOwner, requireUser } from "../../lib/auth/guards.ts";
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { rateLimit } from "../../lib/rate_limit.ts";
import {
  createRecording,
  deleteVideo,
  isAcceptedMimeType,
  listVideos,
  markDeleting,
  updateVideo,
  videoJson,
} from "../../lib/videos/mod.ts";

const titleSchema = z.string().trim().max(200, "title is longer than 200 characters")
  .refine((t) => !t.includes("\u0000"), "title holds a NUL character");

const createSchema = z.object({
  title: titleSchema.nullish(),
  mimeType: z.string().max(200).refine(isAcceptedMimeType, {
    message:
      'is not a recordable type: use video/webm (e.g. "video/webm;codecs=vp9,opus") or video/mp4',
  }),
});

const patchSchema = z.object({
  title: titleSchema.optional(),
  visibility: z.enum(["private", "link"]).optional(),
}).refine((b) => b.title !== undefined || b.visibility !== undefined, {
  message: "give a title or a visibility",
});

/** A whole-number query parameter, clamped; anything unparsable gives the default. */
function intQuery(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = Math.trunc(Number(raw));
  return raw === undefined || !Number.isFinite(n) ? fallback : Math.min(Math.max(n, min), max);
}

/** The videos routes, mounted under `/api/videos`. */
export function videoRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { sql } = app.db;

  const limit = rateLimit(app.limits.recordings, app.config.trustProxy, "new recordings");
  routes.post("/", limit, async (c) => {
    const user = requireUser(c);
    const body = await readJson(c, createSchema);
    const { id, uploadToken } = await createRecording(sql, app.storage, {
      title: body.title || null,
      mimeType: body.mimeType,
      partBytes: app.config.ingestPartBytes,
      ownerId: user.id,
    });
    const origin = requestOrigin(app, c).replace(/^http/, "ws");
    return c.json({ id, uploadToken, ingestUrl: `${origin}/api/videos/${id}/ingest` }, 201);
  });

  routes.get("/", async (c) => {
    const user = requireUser(c);
    const limit = intQuery(c.req.query("limit"), 100, 1, 500);
    const offset = intQuery(c.req.query("offset"), 0, 0, 1_000_000);
    const rows = await listVideos(sql, user.id, limit, offset);
    const origin = requestOrigin(app, c);
    return c.json(
      await Promise.all(rows.map((v) => videoJson(v, { signer: app.playback, origin }, user))),
    );
  });

  routes.get("/:id", async (c) => {
    const { video, user } = await loadVideo(app, c);
    const playback = { signer: app.playback, origin: requestOrigin(app, c) };
    return c.json(await videoJson(video, playback, user));
  });

  routes.patch("/:id", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
    const body = await readJson(c, patchSchema);
    if (body.visibility && video.owner_id === null) {
      throw new ApiError(
        409,
        "no_owner",
        "a video recorded before accounts has no owner to keep it private",
      );
    }
    const updated = await updateVideo(sql, video.id, body);
    // Made private: everyone in its live document is disconnected and checked again on reconnect.
    if (body.visibility === "private") await app.rooms.drop(video.id);
    if (!updated) throw new ApiError(404, "not_found", "no such video");
    const playback = { signer: app.playback, origin: requestOrigin(app, c) };
    return c.json(await videoJson(updated, playback, user));
  });

  routes.delete("/:id", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
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
