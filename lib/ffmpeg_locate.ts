/**
 * Finds the ffmpeg and ffprobe a process runs: the one a variable names, else the one on the PATH,
 * else a static build shipped in an npm package (`@ffmpeg-installer/*`, `@ffprobe-installer/*`),
 * which Deno installs like every other dependency, so `deno task start` needs no system package.
 *
 * @example
 * ```ts
 * const tools = await locateTools(loadConfig());
 * console.log(tools.description); // "ffmpeg 5.1.6 and ffprobe 5.1.6 from the PATH"
 * await ffmpeg(tools, ["-i", "in.webm", "out.mp4"]);
 * ```
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./config.ts";
import type { Tools } from "./ffmpeg.ts";
// Imported so that Deno installs the wrapper packages, and with them the platform's binary package
// (their optional dependencies). Their own index.js cannot find the binary in Deno's npm cache.
import "@ffmpeg-installer/ffmpeg/package.json" with { type: "json" };
import "@ffprobe-installer/ffprobe/package.json" with { type: "json" };

/** The tools with where they came from. */
export interface LocatedTools extends Tools {
  /** One line for the start message, e.g. "ffmpeg 5.1.6 and ffprobe 5.1.6 from the PATH". */
  description: string;
}

/** What {@link locateTools} reads of the configuration. */
export interface ToolSettings {
  /** `FFMPEG_PATH`; `null`: the PATH, else the bundled build. */
  ffmpegPath: string | null;
  /** `FFPROBE_PATH`; `null`: the PATH, else the bundled build. */
  ffprobePath: string | null;
  /** Where a bundled binary is copied when it cannot be made executable where Deno put it. */
  dataDir: string;
}

type Tool = "ffmpeg" | "ffprobe";

const VARIABLE: Record<Tool, string> = { ffmpeg: "FFMPEG_PATH", ffprobe: "FFPROBE_PATH" };

/** One tool: its path and a short label of its origin. */
interface Found {
  path: string;
  version: string;
  origin: string;
}

/** The version a binary reports (`ffmpeg version 5.1.6-0+deb12u1 …` → `5.1.6-0+deb12u1`), or null when it does not run. */
export async function toolVersion(path: string): Promise<string | null> {
  try {
    const out = await new Deno.Command(path, {
      args: ["-version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      // A wrapper script that hangs must not hang the start.
      signal: AbortSignal.timeout(15_000),
    }).output();
    if (!out.success) return null;
    const first = new TextDecoder().decode(out.stdout).split("\n")[0];
    return /\bversion (\S+)/.exec(first)?.[1] ?? "unknown";
  } catch {
    return null;
  }
}

/** The npm platform name of this machine (`linux-x64`, `darwin-arm64`, `win32-x64`…). */
export function npmPlatform(): string {
  const os = Deno.build.os === "windows" ? "win32" : Deno.build.os;
  const arch = Deno.build.arch === "x86_64" ? "x64" : Deno.build.arch === "aarch64" ? "arm64" : "";
  return `${os}-${arch}`;
}

function wrapperPackageJson(tool: Tool): string {
  // Literal specifiers, so that the resolution is the one of the imports above.
  const url = tool === "ffmpeg"
    ? import.meta.resolve("@ffmpeg-installer/ffmpeg/package.json")
    : import.meta.resolve("@ffprobe-installer/ffprobe/package.json");
  return fileURLToPath(url);
}

/**
 * The bundled binary of `tool` for this platform, made executable (Deno runs no install scripts,
 * and the ffprobe package ships its binary without the executable bit) and tried once (`runs`);
 * null when no package exists for this platform.
 */
export async function bundledTool(
  tool: Tool,
  dataDir: string,
): Promise<{ path: string; version: string; label: string; runs: boolean } | null> {
  const pkgName = `@${tool}-installer/${npmPlatform()}`;
  let pkgJsonPath: string;
  try {
    pkgJsonPath = createRequire(wrapperPackageJson(tool)).resolve(`${pkgName}/package.json`);
  } catch {
    return null;
  }
  const pkg = JSON.parse(await Deno.readTextFile(pkgJsonPath)) as Record<string, string>;
  const file = Deno.build.os === "windows" ? `${tool}.exe` : tool;
  let path = join(dirname(pkgJsonPath), file);
  const info = await Deno.stat(path).catch(() => null);
  if (!info?.isFile) return null;
  if (Deno.build.os !== "windows" && ((info.mode ?? 0) & 0o111) !== 0o111) {
    await Deno.chmod(path, 0o755).catch(() => {});
  }
  let runs = (await toolVersion(path)) !== null;
  if (!runs) {
    // A read-only or noexec npm cache: a copy of our own, once per version.
    const copy = resolve(
      dataDir,
      "bin",
      `${tool}-${pkg.version}${file.endsWith(".exe") ? ".exe" : ""}`,
    );
    if (!(await Deno.stat(copy).catch(() => null))?.isFile) {
      await Deno.mkdir(dirname(copy), { recursive: true });
      const tmp = `${copy}.${crypto.randomUUID()}.tmp`;
      await Deno.copyFile(path, tmp);
      if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o755);
      await Deno.rename(tmp, copy);
    }
    path = copy;
    runs = (await toolVersion(path)) !== null;
  }
  // The package names the build (a date and a git hash) in a field named after the tool; the
  // binary itself reports only a git snapshot number.
  return {
    path,
    version: pkg.version,
    runs,
    label: `npm ${pkgName} (build ${pkg[tool] ?? "unknown"})`,
  };
}

async function locate(tool: Tool, configured: string | null, dataDir: string): Promise<Found> {
  const variable = VARIABLE[tool];
  if (configured) {
    const version = await toolVersion(configured);
    if (!version) {
      throw new ConfigError(
        `${variable}=${configured} does not run: set it to an ${tool} binary, or unset it to use the PATH's or the bundled one`,
      );
    }
    return { path: configured, version, origin: variable };
  }
  const onPath = await toolVersion(tool);
  if (onPath) return { path: tool, version: onPath, origin: "the PATH" };
  const bundled = await bundledTool(tool, dataDir);
  if (!bundled) {
    throw new ConfigError(
      `${tool} is not on the PATH and no bundled build exists for ${npmPlatform()}: install ${tool} (apt-get install ffmpeg) or set ${variable} to its path`,
    );
  }
  if (!bundled.runs) {
    throw new ConfigError(
      `the bundled ${tool} (${bundled.path}) does not run: install ${tool} (apt-get install ffmpeg) or set ${variable} to its path`,
    );
  }
  return { path: bundled.path, version: bundled.version, origin: bundled.label };
}

const cache = new Map<string, Promise<LocatedTools>>();

/**
 * Finds ffmpeg and ffprobe as the settings say, checking that each runs. Throws a
 * {@link ConfigError} naming the variable to set. The answer is kept for the process.
 */
export function locateTools(settings: ToolSettings): Promise<LocatedTools> {
  const key = JSON.stringify([settings.ffmpegPath, settings.ffprobePath, settings.dataDir]);
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      const [mpeg, probe] = await Promise.all([
        locate("ffmpeg", settings.ffmpegPath, settings.dataDir),
        locate("ffprobe", settings.ffprobePath, settings.dataDir),
      ]);
      const description = mpeg.origin === probe.origin
        ? `ffmpeg ${mpeg.version} and ffprobe ${probe.version} from ${mpeg.origin}`
        : `ffmpeg ${mpeg.version} from ${mpeg.origin}, ffprobe ${probe.version} from ${probe.origin}`;
      return { ffmpegPath: mpeg.path, ffprobePath: probe.path, description };
    })();
    // A failure is not kept: the next call looks again (after an install, say).
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
