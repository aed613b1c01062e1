/**
 * Builds the browser assets: one bundle per island (its component plus the code that hydrates it)
 * and the stylesheet, each named by a hash of its content so it can be cached forever.
 */
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { buildCss } from "./css.ts";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** URLs of the built assets, and their sizes. */
export interface AssetManifest {
  /** Island name → bundle URL. */
  islands: Record<string, string>;
  /** Stylesheet URL. */
  css: string;
  /** URL → gzip size in bytes. */
  gzipBytes: Record<string, number>;
}

/** Where built files go, and the URL prefix they are served under. */
export const BUILD_DIR = join(ROOT, "static", "build");
export const BUILD_URL = "/static/build";

function hashed(name: string, ext: string, content: Uint8Array): string {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  return `${name}.${hash}.${ext}`;
}

async function islandNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(ROOT, "islands"))) {
    if (e.isFile && /^[A-Z]\w*\.tsx$/.test(e.name)) names.push(basename(e.name, ".tsx"));
  }
  return names.sort();
}

async function bundleIsland(
  name: string,
  entriesDir: string,
  minify: boolean,
): Promise<Uint8Array> {
  const entry = join(entriesDir, `${name}.entry.ts`);
  await Deno.writeTextFile(
    entry,
    `import { hydrateIslands } from "${join(ROOT, "lib/islands/hydrate.ts")}";\n` +
      `import { ${name} } from "${join(ROOT, "islands", name + ".tsx")}";\n` +
      `hydrateIslands("${name}", ${name});\n`,
  );
  const out = join(entriesDir, `${name}.js`);
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--config",
      join(ROOT, "deno.json"),
      ...(minify ? ["--minify"] : []),
      "-o",
      out,
      entry,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`bundling island ${name} failed: ${new TextDecoder().decode(result.stderr)}`);
  }
  return await Deno.readFile(out);
}

/**
 * Builds every island and the stylesheet into `static/build`. Files are written under their
 * content hash, atomically, so processes building at the same time never see a partial file.
 */
export async function buildAssets(opts: { minify?: boolean } = {}): Promise<AssetManifest> {
  const minify = opts.minify ?? true;
  await Deno.mkdir(BUILD_DIR, { recursive: true });
  const entriesDir = await Deno.makeTempDir({ prefix: "videoflow-islands-" });
  const manifest: AssetManifest = { islands: {}, css: "", gzipBytes: {} };
  const write = async (name: string, ext: string, content: Uint8Array) => {
    const file = hashed(name, ext, content);
    const tmp = join(BUILD_DIR, `.${file}.${crypto.randomUUID()}`);
    await Deno.writeFile(tmp, content);
    await Deno.rename(tmp, join(BUILD_DIR, file));
    const url = `${BUILD_URL}/${file}`;
    manifest.gzipBytes[url] = gzipSync(content).length;
    return url;
  };
  try {
    const names = await islandNames();
    const bundles = await Promise.all(
      names.map(async (name) => [name, await bundleIsland(name, entriesDir, minify)] as const),
    );
    for (const [name, js] of bundles) manifest.islands[name] = await write(name, "js", js);
    const css = await buildCss(join(ROOT, "styles", "app.css"), ROOT, [
      "routes",
      "islands",
      "components",
    ]);
    manifest.css = await write("app", "css", new TextEncoder().encode(css));
  } finally {
    await Deno.remove(entriesDir, { recursive: true });
  }
  return manifest;
}

/**
 * Removes built files the manifest does not name and that are over a day old: a server still
 * running an older build keeps its bundles.
 */
export async function pruneBuild(manifest: AssetManifest): Promise<string[]> {
  const keep = new Set(Object.keys(manifest.gzipBytes).map((url) => basename(url)));
  const removed: string[] = [];
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for await (const e of Deno.readDir(BUILD_DIR)) {
    if (!e.isFile || keep.has(e.name)) continue;
    const { mtime } = await Deno.stat(join(BUILD_DIR, e.name));
    if ((mtime?.getTime() ?? 0) < dayAgo) {
      await Deno.remove(join(BUILD_DIR, e.name));
      removed.push(e.name);
    }
  }
  return removed;
}
