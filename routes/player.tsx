/** `/v/{id}`: the player page of one video (`?t=seconds` starts there). */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { getVideo, videoJson, type VideoRow } from "../lib/videos/mod.ts";
import { listAnnotations } from "../lib/annotations.ts";
import { isUuid } from "../lib/http.ts";
import { Layout, page } from "../components/Layout.tsx";
import type { User } from "../lib/auth/sessions.ts";
import { canView } from "../lib/access.ts";
import { Island } from "../components/Island.tsx";
import { Player } from "../islands/Player.tsx";
import { requestOrigin } from "../lib/auth/guards.ts";

/** The page for a video that does not exist (or no longer). */
export function NotFound(props: { app: AppContext; user: User | null }) {
  return (
    <Layout title="Not found — VideoFlow" assets={props.app.assets} user={props.user}>
      <div class="py-24 text-center">
        <h1 class="text-2xl font-semibold">This video does not exist</h1>
        <p class="mt-2 text-slate-600">It may have been deleted, or the link is mistyped.</p>
        <a href="/" class="mt-6 inline-block text-indigo-700 underline">Back to the library</a>
      </div>
    </Layout>
  );
}

/**
 * The video a page at `/v/{id}` shows, or null (a bad id, no such video, one going away, or a
 * private one of someone else's).
 */
export async function pageVideo(
  app: AppContext,
  id: string,
  user: User | null,
): Promise<VideoRow | null> {
  const row = isUuid(id) ? await getVideo(app.db.sql, id.toLowerCase()) : null;
  return row && row.status !== "cancelled" && row.status !== "deleting" && canView(row, user)
    ? row
    : null;
}

/** The player page. */
export function playerRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/v/:id", async (c) => {
    const user = c.get("user");
    const row = await pageVideo(app, c.req.param("id"), user);
    if (!row) return c.html(page(render(<NotFound app={app} user={user} />)), 404);
    const video = await videoJson(row, {
      signer: app.playback,
      origin: requestOrigin(app, c),
    }, user);
    const annotations = await listAnnotations(app.db.sql, row.id);
    const t = Number.parseFloat(c.req.query("t") ?? "");
    const startAt = Number.isFinite(t) && t >= 0 ? t : null;
    return c.html(page(render(
      <Layout
        user={user}
        title={`${row.title || "Untitled recording"} — VideoFlow`}
        assets={app.assets}
        islands={["Player"]}
      >
        <Island name="Player" component={Player} props={{ video, annotations, startAt }} />
      </Layout>,
    )));
  });
  return routes;
}
