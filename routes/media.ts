/**
 * `GET /media/{key}?exp&sig`: objects of the embedded S3 served on the app's own origin, for
 * signed URLs only, with HTTP Range support so players can seek.
 */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import type { AppContext } from "../lib/context.ts";
import { isNotFound } from "../lib/storage/s3.ts";

/** A single byte range, as players send them: `bytes=a-`, `bytes=a-b` or `bytes=-n`. */
const RANGE_RE = /^bytes=(?:(\d{1,15})-(\d{0,15})|-(\d{1,15}))$/;

/** Whether a Range header is one range S3 can answer (start not after end). */
function validRange(range: string): boolean {
  const m = RANGE_RE.exec(range);
  if (!m) return false;
  return m[3] !== undefined || m[2] === "" || Number(m[1]) <= Number(m[2]);
}

/** The media routes, mounted at `/media`. */
export function mediaRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.on(["GET", "HEAD"], "/*", async (c) => {
    // Hono's path is already decoded: the key is what was signed.
    const key = c.req.path.slice("/media/".length);
    if (!app.playback.verify(key, c.req.query("exp"), c.req.query("sig"))) {
      return c.json(
        { error: { code: "forbidden", message: "the link is invalid or expired" } },
        403,
      );
    }
    const range = c.req.header("range");
    try {
      const obj = await app.storage.get(key, range && validRange(range) ? range : undefined);
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
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 416) {
        return c.json({ error: { code: "range", message: "range not satisfiable" } }, 416);
      }
      throw err;
    }
  });
  return routes;
}
