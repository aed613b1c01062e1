/** `/api/videos/{id}/annotations`: list, add, delete comments pinned to moments of a video. */
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../lib/context.ts";
import { ApiError, bearerToken, isUuid, readJson } from "../../lib/http.ts";
import { addAnnotation, deleteAnnotation, listAnnotations } from "../../lib/annotations.ts";
import { MAX_CONTENT } from "../../lib/collab/entry.ts";
import { isOwner } from "../../lib/access.ts";
import { loadVideo } from "../../lib/auth/guards.ts";

const createSchema = z.object({
  timestamp: z.number().finite().min(0).max(1e7),
  content: z.string().trim().min(1, "content is empty").max(MAX_CONTENT)
    .refine((t) => !t.includes("\u0000"), "content holds a NUL character"),
  type: z.enum(["comment"]).default("comment"),
  author: z.string().trim().max(80).refine((t) => !t.includes("\u0000"), "author holds a NUL")
    .nullish(),
});

/** The annotation routes, mounted under `/api/videos`. */
export function annotationRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { sql } = app.db;

  routes.get("/:id/annotations", async (c) => {
    const { video } = await loadVideo(app, c);
    return c.json(await listAnnotations(sql, video.id));
  });

  routes.post("/:id/annotations", async (c) => {
    const { video } = await loadVideo(app, c);
    const body = await readJson(c, createSchema);
    // Allow a little past the end: the duration is known only once the video is processed.
    if (video.duration !== null && body.timestamp > video.duration + 1) {
      throw new ApiError(
        400,
        "invalid",
        `timestamp is past the end of the video (${video.duration} s)`,
      );
    }
    const room = await app.rooms.open(video.id);
    if (!room) throw new ApiError(404, "not_found", "no such video");
    const annotation = await addAnnotation(sql, room, {
      timestamp: body.timestamp,
      content: body.content,
      type: body.type,
      author: body.author || null,
    });
    return c.json(annotation, 201);
  });

  routes.delete("/:id/annotations/:uid", async (c) => {
    const { video, user } = await loadVideo(app, c);
    const uid = c.req.param("uid");
    if (!isUuid(uid)) throw new ApiError(404, "not_found", "no such annotation");
    const token = bearerToken(c);
    const room = await app.rooms.open(video.id);
    if (!room) throw new ApiError(404, "not_found", "no such video");
    const owner = isOwner(video, user, token);
    const outcome = await deleteAnnotation(sql, room, uid.toLowerCase(), token, owner);
    if (outcome === "not_found") throw new ApiError(404, "not_found", "no such annotation");
    if (outcome === "forbidden") {
      throw new ApiError(
        403,
        "forbidden",
        "only its author or the video's owner deletes a comment",
      );
    }
    return c.body(null, 204);
  });

  return routes;
}
