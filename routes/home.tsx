/** `/`: the library. A plain server-rendered list until the browser app arrives. */
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { listVideos } from "../lib/videos.ts";
import { Layout } from "../components/Layout.tsx";

/** The home page route. */
export function homeRoutes(app: AppContext): Hono {
  const routes = new Hono();
  routes.get("/", async (c) => {
    const videos = await listVideos(app.db.sql, 50);
    const html = render(
      <Layout title="VideoFlow">
        <h1>VideoFlow</h1>
        <p>
          Self-hosted video messages. Recorders stream to <code>POST /api/videos</code>{" "}
          and the ingest WebSocket; see the README for the protocol.
        </p>
        <h2>Recordings</h2>
        {videos.length === 0 ? <p>No recordings yet.</p> : (
          <ul>
            {videos.map((v) => (
              <li key={v.id}>
                <a href={`/api/videos/${v.id}`}>{v.title || "Untitled recording"}</a> — {v.status}
                {v.duration ? `, ${Math.round(v.duration)} s` : ""}
              </li>
            ))}
          </ul>
        )}
      </Layout>,
    );
    return c.html("<!doctype html>" + html);
  });
  return routes;
}
