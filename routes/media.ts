/**
 * `GET /media/{key}?exp&sig`: objects of the embedded S3 served on the app's own origin, for
 * signed URLs only, with HTTP Range support so players can seek.
 */
import { Hono } from "hono";
import type { AppContext } from "../lib/context.ts";
import { isNotFound } from "../lib/storage/s3.ts";

const RANGE_RE = /^bytes=\d*-\d*$/;

/** The media routes, mounted at `/media`. */
export function mediaRoutes(app: AppContext): Hono {
  const routes = new Hono();
  routes.on(["GET", "HEAD"], "/*", async (c) => {
    const key = decodeURIComponent(c.req.path.slice("/media/".length));
    if (!app.playback.verify(key, c.req.query("exp"), c.req.query("sig"))) {
      return c.json(
        { error: { code: "forbidden", message: "the link is invalid or expired" } },
        403,
      );
    }
    const range = c.req.header("range");
    try {
      const obj = await app.storage.get(key, range && RANGE_RE.test(range) ? range : undefined);
      const headers: Record<string, string> = {
        "accept-ranges": "bytes",
        "content-type": obj.contentType ?? "application/octet-stream",
        "cache-control": "private, max-age=300",
      };
      if (obj.contentLength !== undefined) headers["content-length"] = String(obj.contentLength);
      if (obj.contentRange) headers["content-range"] = obj.contentRange;
      if (obj.etag) headers["etag"] = obj.etag;
      if (c.req.method === "HEAD") {
        await obj.body.cancel();
        return c.body(null, obj.contentRange ? 206 : 200, headers);
      }
      return c.body(obj.body, obj.contentRange ? 206 : 200, headers);
    } catch (err) {
      if (isNotFound(err)) {
        return c.json({ error: { code: "not_found", message: "no such object" } }, 404);
      }
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) {
        return c.json({ error: { code: "range", message: "range not satisfiable" } }, 416);
      }
      throw err;
    }
  });
  return routes;
}
