/**
 * The checks routes make before acting, each answering with the API's error: who must be signed in,
 * which video the path names and whether the person may see it, who owns it.
 *
 * @example
 * ```ts
 * routes.patch("/:id", async (c) => {
 *   const { video, user } = await loadVideo(app, c);
 *   requireOwner(c, video, user);
 *   …
 * });
 * ```
 */
import type { AppContext } from "../context.ts";
import { ApiError, bearerToken, videoIdParam } from "../http.ts";
import { canView, isOwner } from "../access.ts";
import { getVideo, type VideoRow } from "../videos/mod.ts";
import type { User } from "./sessions.ts";
import type { AppCtx } from "./middleware.ts";

/** The app's origin as the client reached it, or `PUBLIC_URL`. */
export function requestOrigin(app: AppContext, c: AppCtx): string {
  return app.config.publicUrl ?? new URL(c.req.url).origin;
}

/**
 * The video of the `:id` parameter and who is asking; 404 when there is none to show, or none
 * this person may see (a private video is not even admitted to exist).
 */
export async function loadVideo(
  app: AppContext,
  c: AppCtx,
): Promise<{ video: VideoRow; user: User | null }> {
  const id = videoIdParam(c);
  const user = c.get("user");
  const video = await getVideo(app.db.sql, id);
  if (
    !video || video.status === "cancelled" || video.status === "deleting" || !canView(video, user)
  ) {
    throw new ApiError(404, "not_found", "no such video");
  }
  return { video, user };
}

/** Refuses anyone but the video's owner: 401 when nobody is signed in, 403 for someone else. */
export function requireOwner(c: AppCtx, video: VideoRow, user: User | null): void {
  if (isOwner(video, user, bearerToken(c))) return;
  if (!user) throw new ApiError(401, "unauthorized", "sign in as the video's owner");
  throw new ApiError(403, "forbidden", "only the video's owner may do this");
}

/** Who needs to be signed in: 401 otherwise. */
export function requireUser(c: AppCtx): User {
  const user = c.get("user");
  if (!user) throw new ApiError(401, "unauthorized", "sign in first");
  return user;
}
