/** The page frame every server-rendered page shares. */
import type { ComponentChildren } from "preact";

/** Wraps a page's body in the document, with its title. */
export function Layout(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>
          {"body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2937}" +
            "li{margin:.25rem 0}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}"}
        </style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}
