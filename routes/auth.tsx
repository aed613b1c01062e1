/** `/login` and `/signup`: the account pages. */
import type { AppEnv } from "../lib/auth/middleware.ts";
import { Hono } from "hono";
import { render } from "preact-render-to-string";
import type { AppContext } from "../lib/context.ts";
import { Layout, page } from "../components/Layout.tsx";
import { Island } from "../components/Island.tsx";
import { AuthForm } from "../islands/AuthForm.tsx";

/** A `?next=` that stays on this site (a path), or the library. */
export function safeNext(raw: string | undefined): string {
  if (!raw || raw.length > 500 || !raw.startsWith("/")) return "/";
  // Resolved the way a browser will (which drops tabs and newlines): it must stay on this site.
  const base = "http://this.site";
  try {
    const url = new URL(raw, base);
    return url.origin === base ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/"; // not a URL at all
  }
}

/** The account pages. */
export function authPageRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  for (const mode of ["login", "signup"] as const) {
    routes.get(`/${mode}`, (c) => {
      const user = c.get("user");
      const next = safeNext(c.req.query("next"));
      const other = mode === "login" ? "signup" : "login";
      return c.html(page(render(
        <Layout
          title={`${mode === "login" ? "Sign in" : "Sign up"} — VideoFlow`}
          assets={app.assets}
          islands={["AuthForm"]}
          user={user}
        >
          <div class="mx-auto max-w-sm py-8">
            <h1 class="mb-5 text-2xl font-semibold">
              {mode === "login" ? "Sign in" : "Create your account"}
            </h1>
            {user && (
              <p class="mb-4 rounded-md bg-slate-100 px-3 py-2 text-sm">
                You are signed in as {user.name}.
              </p>
            )}
            <Island name="AuthForm" component={AuthForm} props={{ mode, next }} />
            <p class="mt-4 text-sm text-slate-600">
              {mode === "login" ? "No account yet? " : "Have an account? "}
              <a
                href={`/${other}${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`}
                class="text-indigo-700 underline"
              >
                {other === "login" ? "Sign in" : "Sign up"}
              </a>
            </p>
          </div>
        </Layout>,
      )));
    });
  }
  return routes;
}
