/** `/v/{id}/doc`: the printable guide of a video, editable by its owner. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { listSteps } from "../lib/guide.ts";
import { stepImagePath } from "../lib/step_order.ts";
import { Layout, page } from "../components/Layout.tsx";
import { Island } from "../components/Island.tsx";
import { Guide, type GuideStep } from "../islands/Guide.tsx";
import { NotFound, pageVideo } from "./player.tsx";

const STATUS_TEXT: Record<string, string> = {
  pending: "The guide is queued and will appear here.",
  running: "The guide is being written from the recording's screens.",
};

/** The guide page. */
export function guidePageRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/v/:id/doc", async (c) => {
    const user = c.get("user");
    const video = await pageVideo(app, c.req.param("id"), user);
    if (!video) return c.html(page(render(<NotFound app={app} user={user} />)), 404);
    const steps: GuideStep[] = (await listSteps(app.db.sql, video.id)).map((s) => ({
      id: s.id,
      index: s.index,
      timestamp: s.timestamp,
      title: s.title,
      text: s.text,
      imageUrl: s.imageKey ? stepImagePath(video.id, s) : null,
    }));
    const title = video.title || "Untitled recording";
    const status = video.doc_status === "failed"
      ? `The guide could not be made: ${video.doc_error ?? "unknown error"}`
      : STATUS_TEXT[video.doc_status ?? ""];
    return c.html(page(render(
      <Layout
        title={`${title} — guide — VideoFlow`}
        assets={app.assets}
        islands={["Guide"]}
        user={user}
      >
        <article class="mx-auto max-w-3xl">
          <header class="mb-8">
            <p class="text-sm font-medium uppercase tracking-wide text-indigo-700">
              Step-by-step guide
            </p>
            <h1 class="mt-1 text-3xl font-bold">{title}</h1>
            <p class="mt-2 text-sm text-slate-600">
              {steps.length} steps ·{" "}
              <a href={`/v/${video.id}`} class="text-indigo-700 underline print:no-underline">
                watch the recording
              </a>
              <span class="print:hidden">
                {" · "}
                <a href={`/api/videos/${video.id}/doc.md`} class="text-indigo-700 underline">
                  Markdown
                </a>
              </span>
            </p>
            {status && (
              <p data-testid="doc-status" class="mt-4 rounded-md bg-slate-100 px-3 py-2 text-sm">
                {status}
              </p>
            )}
          </header>
          <Island
            name="Guide"
            component={Guide}
            props={{ videoId: video.id, steps, owned: user !== null && user.id === video.owner_id }}
          />
        </article>
      </Layout>,
    )));
  });
  return routes;
}
