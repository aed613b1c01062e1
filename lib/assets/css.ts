/**
 * Tailwind CSS 4, compiled in-process: the class names used in `routes/`, `islands/` and
 * `components/` are found by Tailwind's scanner and compiled against `styles/app.css`.
 */
import { compile } from "tailwindcss";
import { Scanner } from "@tailwindcss/oxide";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Where Tailwind's own stylesheets are: the npm package, wherever Deno keeps it. */
function resolveStylesheet(id: string, base: string): string {
  if (id === "tailwindcss") return fileURLToPath(import.meta.resolve("tailwindcss/index.css"));
  if (id.startsWith("tailwindcss/")) return fileURLToPath(import.meta.resolve(id));
  return fileURLToPath(new URL(id, pathToFileURL(base + "/")));
}

/** Compiles `input` (a CSS file) for the sources under `root`. */
export async function buildCss(input: string, root: string, sources: string[]): Promise<string> {
  const compiler = await compile(await Deno.readTextFile(input), {
    base: dirname(input),
    loadStylesheet: async (id: string, base: string) => {
      const path = resolveStylesheet(id, base);
      return { path, base: dirname(path), content: await Deno.readTextFile(path) };
    },
  });
  const scanner = new Scanner({
    sources: sources.map((dir) => ({
      base: join(root, dir),
      pattern: "**/*.{ts,tsx}",
      negated: false,
    })),
  });
  return compiler.build(scanner.scan());
}
