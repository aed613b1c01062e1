/** `/`: the library of recordings. */
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { listVideos, videoJson } from "../lib/videos.ts";
import { Layout, page } from "../components/Layout.tsx";
import { sessionUser } from "../lib/auth/sessions.ts";
import { Island } from "../components/Island.tsx";
import { Library } from "../islands/Library.tsx";
import type { VideoView } from "../islands/player/api.ts";
import { requestOrigin } from "./api/videos.ts";
import { MAX_QUERY, search, type SearchHit } from "../lib/search.ts";
import { SearchBox, SearchResults } from "../components/SearchResults.tsx";

/** The library page. */
export function homeRoutes(app: AppContext): Hono {
  const routes = new Hono();
  routes.get("/", async (c) => {
    const origin = requestOrigin(app, c);
    const user = await sessionUser(app.db.sql, c);
    const rows = await listVideos(app.db.sql, 60);
    const videos = await Promise.all(
      rows.map((v) => videoJson(v, { signer: app.playback, origin })),
    ) as unknown as VideoView[];
    const query = (c.req.query("q") ?? "").trim().slice(0, MAX_QUERY);
    const hits: SearchHit[] | null = query ? await search(app.db.sql, query) : null;
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
