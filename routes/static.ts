/** `/static/build/*`: the built, content-hashed assets, cached for a year. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { join } from "node:path";
import { BUILD_DIR } from "../lib/assets/build.ts";

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** The static routes. */
export function staticRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/static/build/:file", async (c) => {
    const file = c.req.param("file");
    const ext = /^[\w-]+\.[0-9a-f]{12}\.(js|css)$/.exec(file)?.[1];
    if (!ext) return c.json({ error: { code: "not_found", message: "no such asset" } }, 404);
    try {
      const body = await Deno.readFile(join(BUILD_DIR, file));
      return c.body(body, 200, {
        "content-type": TYPES[ext],
        // The name changes with the content: it can be cached for good.
        "cache-control": "public, max-age=31536000, immutable",
      });
    } catch {
      return c.json({ error: { code: "not_found", message: "no such asset" } }, 404);
    }
  });
  return routes;
}
