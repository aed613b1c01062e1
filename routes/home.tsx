/** `/`: the library of recordings. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { listVideos, videoJson } from "../lib/videos/mod.ts";
import { Layout, page } from "../components/Layout.tsx";
import { Island } from "../components/Island.tsx";
import { Library } from "../islands/Library.tsx";
import { requestOrigin } from "../lib/auth/guards.ts";
import { MAX_QUERY, search, type SearchHit } from "../lib/search.ts";
import { SearchBox, SearchResults } from "../components/SearchResults.tsx";

/** The library page. */
export function homeRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/", async (c) => {
    const origin = requestOrigin(app, c);
    const user = c.get("user");
    if (!user) {
      return c.html(page(render(
        <Layout title="VideoFlow" assets={app.assets} user={null}>
          <div class="mx-auto max-w-xl py-16 text-center">
            <h1 class="text-3xl font-semibold">Explain it once, on video</h1>
            <p class="mt-3 text-slate-600">
              Record your screen, camera and voice; the link is ready the moment you stop, your team
              comments on it together, and a written step-by-step guide follows by itself.
            </p>
            <div class="mt-8 flex justify-center gap-3">
              <a
                href="/signup"
                class="rounded-lg bg-indigo-600 px-5 py-2.5 font-medium text-white hover:bg-indigo-500"
              >
                Create an account
              </a>
              <a
                href="/login"
                class="rounded-lg border border-slate-300 bg-white px-5 py-2.5 font-medium hover:bg-slate-100"
              >
                Sign in
              </a>
            </div>
          </div>
        </Layout>,
      )));
    }
    const rows = await listVideos(app.db.sql, user.id, 60);
    const videos = await Promise.all(
      rows.map((v) => videoJson(v, { signer: app.playback, origin }, user)),
    );
    const query = (c.req.query("q") ?? "").trim().slice(0, MAX_QUERY);
    const hits: SearchHit[] | null = query ? await search(app.db.sql, user.id, query) : null;
    return c.html(page(render(
      <Layout
        title="VideoFlow — library"
        assets={app.assets}
        islands={["Library"]}
        user={user}
      >
        <h1 class="mb-5 text-2xl font-semibold">Library</h1>
        <SearchBox query={query} />
        {hits && <SearchResults query={query} hits={hits} />}
        <Island name="Library" component={Library} props={{ videos }} />
      </Layout>,
    )));
  });
  return routes;
}
