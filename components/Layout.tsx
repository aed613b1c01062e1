/** The page frame every server-rendered page shares: head, stylesheet, header, island scripts. */
import type { ComponentChildren } from "preact";
import type { AssetManifest } from "../lib/assets/build.ts";

/** Wraps a page's body in the document, with its title and the scripts of its islands. */
export function Layout(
  props: {
    title: string;
    assets: AssetManifest;
    islands?: string[];
    /** The signed-in person, shown in the header with a sign-out button. */
    user?: { name: string } | null;
    children: ComponentChildren;
  },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href={props.assets.css} />
        {(props.islands ?? []).map((name) => (
          <script key={name} type="module" src={props.assets.islands[name]} />
        ))}
      </head>
      <body class="min-h-screen bg-slate-50 text-slate-900 antialiased print:bg-white">
        <header class="border-b border-slate-200 bg-white print:hidden">
          <nav class="mx-auto flex max-w-6xl items-center justify-between px-4 py-3">
            <a
              href="/"
              class="text-lg font-semibold tracking-tight text-indigo-700"
            >
              VideoFlow
            </a>
            <div class="flex items-center gap-3 text-sm">
              {props.user
                ? (
                  <form method="post" action="/api/auth/logout" class="flex items-center gap-3">
                    <span data-testid="user-name" class="text-slate-600">{props.user.name}</span>
                    <button
                      type="submit"
                      class="text-slate-600 hover:text-indigo-700"
                    >
                      Sign out
                    </button>
                    <button
                      type="submit"
                      name="everywhere"
                      value="1"
                      title="Ends your sessions on every device"
                      class="hidden text-slate-500 hover:text-indigo-700 sm:inline"
                    >
                      everywhere
                    </button>
                  </form>
                )
                : (
                  <a
                    href="/login"
                    class="text-slate-600 hover:text-indigo-700"
                  >
                    Sign in
                  </a>
                )}
              <a
                href="/record"
                class="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white shadow-sm hover:bg-indigo-500"
              >
                New recording
              </a>
            </div>
          </nav>
        </header>
        <main class="mx-auto max-w-6xl px-4 py-6">{props.children}</main>
      </body>
    </html>
  );
}

/** Renders a page to an HTML string with its doctype. */
export function page(html: string): string {
  return "<!doctype html>" + html;
}
