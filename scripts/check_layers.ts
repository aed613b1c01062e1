/**
 * `deno task check` runs this: imports must point one way, `lib/` ← `workers/` ← `routes/` ←
 * `app.ts` ← entry points (`main.ts`, `server.ts`, `workers/main.ts`). Islands and server
 * components sit beside the workers, above `lib/`: islands reach the server only through `lib/`'s
 * shared types and their client. Tests, test support, benchmarks and scripts may import anything,
 * and nothing else may import them.
 *
 * @example
 * ```sh
 * deno run --allow-read scripts/check_layers.ts   # exit 1 and one line per wrong import
 * ```
 */
import { dirname, join, normalize, relative } from "node:path";

/** A part of the code base, as far as imports go. */
export type Layer =
  | "lib"
  | "workers"
  | "islands"
  | "components"
  | "routes"
  | "app"
  | "entry"
  | "test";

/** What each layer may import (its own modules included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  lib: ["lib"],
  workers: ["lib", "workers"],
  islands: ["lib", "islands"],
  components: ["lib", "islands", "components"],
  routes: ["lib", "workers", "islands", "components", "routes"],
  app: ["lib", "workers", "islands", "components", "routes", "app"],
  entry: ["lib", "workers", "islands", "components", "routes", "app", "entry"],
  test: ["lib", "workers", "islands", "components", "routes", "app", "entry", "test"],
};

const ENTRY_POINTS = new Set(["main.ts", "server.ts", "workers/main.ts"]);

/** The layer of a file given by its path from the repository's root; null: not checked. */
export function layerOf(path: string): Layer | null {
  if (!/\.(ts|tsx)$/.test(path)) return null;
  if (/_test\.tsx?$/.test(path) || /^(test_support|bench|e2e|scripts)\//.test(path)) return "test";
  if (ENTRY_POINTS.has(path)) return "entry";
  if (path === "app.ts") return "app";
  const top = path.split("/")[0];
  if (["lib", "workers", "islands", "components", "routes"].includes(top)) return top as Layer;
  return null;
}

const IMPORT_RE =
  /(?:^|[;\s])(?:import|export)\s[^;"']*?from\s*["']([^"']+)["']|(?:^|[;\s])import\s*\(\s*["']([^"']+)["']\s*[,)]|(?:^|[;\s])import\s*["']([^"']+)["']/g;

/** The relative module paths a source imports, as written. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith("./") || spec.startsWith("../")) found.push(spec);
  }
  return found;
}

/** One import against the order: who imports what, and why it is refused. */
export interface Violation {
  file: string;
  imports: string;
  message: string;
}

/** The imports among `files` (path from the root → source) that run against the layers. */
export function layerViolations(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    if (!from) continue;
    for (const spec of relativeImports(source)) {
      const target = normalize(join(dirname(file), spec));
      const to = layerOf(target);
      if (!to || MAY_IMPORT[from].includes(to)) continue;
      out.push({
        file,
        imports: target,
        message: `${file} imports ${target}: ${from} may import only ${
          MAY_IMPORT[from].join(", ")
        }`,
      });
    }
  }
  return out;
}

async function readTree(root: string, dir = root, files = new Map<string, string>()) {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (["node_modules", "data", "static", ".git"].includes(entry.name)) continue;
      await readTree(root, path, files);
    } else if (/\.(ts|tsx)$/.test(entry.name)) {
      files.set(relative(root, path), await Deno.readTextFile(path));
    }
  }
  return files;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const violations = layerViolations(await readTree(root));
  for (const v of violations) console.error(v.message);
  if (violations.length > 0) Deno.exit(1);
}
