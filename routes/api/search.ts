/** `GET /api/search?q=…`: full-text search over one's own videos' titles, comments and on-screen text. */
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { Hono } from "hono";
import type { AppContext } from "../../lib/context.ts";
import { ApiError } from "../../lib/http.ts";
import { MAX_QUERY, search } from "../../lib/search.ts";
import { requireUser } from "../../lib/auth/guards.ts";

/** The search route, mounted at `/api/search`. */
export function searchRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/", async (c) => {
    const user = requireUser(c);
    const q = (c.req.query("q") ?? "").trim();
    if (!q) throw new ApiError(400, "invalid", "give words to search for: ?q=…");
    if (q.length > MAX_QUERY) {
      throw new ApiError(400, "invalid", `the query is longer than ${MAX_QUERY} characters`);
    }
    const limit = Math.min(Math.max(Math.trunc(Number(c.req.query("limit") ?? 30)) || 30, 1), 100);
    return c.json({ query: q, hits: await search(app.db.sql, user.id, q, limit) });
  });
  return routes;
}
