/** `/record`: the recorder. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { Layout, page } from "../components/Layout.tsx";
import { Island } from "../components/Island.tsx";
import { Recorder } from "../islands/Recorder.tsx";

/** The recorder page. */
export function recordRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/record", (c) => {
    const user = c.get("user");
    // A recording belongs to someone: sign in first, then come back here.
    if (!user) return c.redirect("/login?next=/record", 303);
    return c.html(page(render(
      <Layout title="Record — VideoFlow" assets={app.assets} islands={["Recorder"]} user={user}>
        <h1 class="mb-5 text-center text-2xl font-semibold">New recording</h1>
        <Island name="Recorder" component={Recorder} props={{}} />
      </Layout>,
    )));
  });
  return routes;
}
