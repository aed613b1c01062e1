/** `GET /healthz`: whether the database and the storage answer. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import type { AppContext } from "../lib/context.ts";

async function probe(
  fn: () => Promise<unknown>,
): Promise<{ ok: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 3 s")), 3000)),
    ]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: String(err) };
  }
}

/** The health route. */
export function healthRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/healthz", async (c) => {
    const [database, storage] = await Promise.all([
      probe(() => app.db.sql`SELECT 1`),
      probe(() => app.storage.ping()),
    ]);
    const ok = database.ok && storage.ok;
    return c.json({
      status: ok ? "ok" : "unavailable",
      database: { ...database, kind: app.db.kind },
      storage: { ...storage, embedded: app.config.s3 === null },
      ingestSessions: app.ingest.size,
    }, ok ? 200 : 503);
  });
  return routes;
}
