/** Running ffmpeg and ffprobe, with a clear error when they are missing. */

/** The tool is not installed or not where the configuration says. */
export class ToolMissingError extends Error {
  override name = "ToolMissingError";
}

/** Paths of the two tools. */
export interface Tools {
  ffmpegPath: string;
  ffprobePath: string;
}

/** Options of {@link ffmpeg}. */
export interface RunOptions {
  /**
   * Run at a low CPU priority (`nice -n 10`, where `nice` exists), so that work someone waits for
   * (the guide, a page load) takes the cores first and this one uses what is left.
   */
  background?: boolean;
  /** Kill the process after this long; the run then fails. */
  timeoutMs?: number;
}

let niceFound: Promise<string | null> | null = null;

/** Where `nice` is, looked for once at fixed paths (the PATH may be empty); null: run as is. */
function niceBinary(): Promise<string | null> {
  niceFound ??= (async () => {
    if (Deno.build.os === "windows") return null;
    for (const path of ["/usr/bin/nice", "/bin/nice"]) {
      if ((await Deno.stat(path).catch(() => null))?.isFile) return path;
    }
    return null;
  })();
  return niceFound;
}

async function run(
  path: string,
  variable: string,
  args: string[],
  opts: RunOptions = {},
): Promise<string> {
  const name = variable === "FFMPEG_PATH" ? "ffmpeg" : "ffprobe";
  const missing = () => new ToolMissingError(`${name} not found: install it or set ${variable}`);
  const nice = opts.background ? await niceBinary() : null;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(nice ?? path, {
      args: nice ? ["-n", "10", path, ...args] : args,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
      signal: opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined,
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
      throw missing();
    }
    throw err;
  }
  if (out.signal && opts.timeoutMs) {
    throw new Error(`${name} took longer than ${Math.round(opts.timeoutMs / 1000)} s`);
  }
  // nice's own codes for a command it could not find (127) or run (126).
  if (nice && (out.code === 127 || out.code === 126)) throw missing();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${path} exited with ${out.code}: ${stderr}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Runs ffmpeg quietly with `args`. */
export function ffmpeg(tools: Tools, args: string[], opts: RunOptions = {}): Promise<string> {
  return run(
    tools.ffmpegPath,
    "FFMPEG_PATH",
    ["-hide_banner", "-nostdin", "-v", "error", ...args],
    opts,
  );
}

/** What an ffmpeg build can do, as far as VideoFlow's jobs care. */
export interface FfmpegAbilities {
  /**
   * How to keep a variable frame rate: `-fps_mode` (ffmpeg 5.1 and later; 9 dropped `-vsync`) or
   * `-vsync` (older builds, such as the bundled 4.1).
   */
  vfrArgs: string[];
  /** Whether it has the libx264 encoder (some distributions' builds do not). */
  libx264: boolean;
}

const abilities = new Map<string, Promise<FfmpegAbilities>>();

/** What the ffmpeg of `tools` can do; asked once per binary. */
export function ffmpegAbilities(tools: Tools): Promise<FfmpegAbilities> {
  let found = abilities.get(tools.ffmpegPath);
  if (!found) {
    found = (async () => {
      const help = await ffmpeg(tools, ["-h", "full"]);
      const encoders = await ffmpeg(tools, ["-encoders"]);
      return {
        vfrArgs: /^-fps_mode\b/m.test(help) ? ["-fps_mode:v", "vfr"] : ["-vsync", "vfr"],
        libx264: /^\s*V\S*\s+libx264\s/m.test(encoders),
      };
    })();
    found.catch(() => abilities.delete(tools.ffmpegPath));
    abilities.set(tools.ffmpegPath, found);
  }
  return found;
}

/** Runs ffprobe quietly with `args`. */
export function ffprobe(tools: Tools, args: string[]): Promise<string> {
  return run(tools.ffprobePath, "FFPROBE_PATH", ["-v", "error", ...args]);
}

/** The container duration of a media file in seconds, or null when it has none. */
export async function probeDuration(tools: Tools, path: string): Promise<number | null> {
  const out = await ffprobe(tools, ["-show_entries", "format=duration", "-of", "csv=p=0", path]);
  const d = Number.parseFloat(out.trim());
  return Number.isFinite(d) ? d : null;
}

/** The streams of a media file that VideoFlow cares about. */
export interface MediaStreams {
  video: {
    codec: string;
    profile: string | null;
    level: number | null;
    /** Coded size of the first frame (0 when unknown). */
    width: number;
    height: number;
    /** Display rotation in degrees, 0–359 (a phone held upright: 90 or 270). */
    rotation: number;
  } | null;
  audio: { codec: string; profile: string | null } | null;
}

/** The first video and the first audio stream of a media file. */
export async function probeStreams(tools: Tools, path: string): Promise<MediaStreams> {
  const out = await ffprobe(tools, [
    "-show_entries",
    "stream=codec_type,codec_name,profile,level,width,height:stream_side_data=rotation:stream_tags=rotate",
    "-of",
    "json",
    path,
  ]);
  const streams = (JSON.parse(out).streams ?? []) as Record<string, unknown>[];
  const v = streams.find((s) => s.codec_type === "video");
  const a = streams.find((s) => s.codec_type === "audio");
  const str = (x: unknown) => (typeof x === "string" && x !== "" ? x : null);
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : null);
  return {
    video: v
      ? {
        codec: String(v.codec_name),
        profile: str(v.profile),
        level: num(v.level),
        width: num(v.width) ?? 0,
        height: num(v.height) ?? 0,
        rotation: rotationOf(v),
      }
      : null,
    audio: a ? { codec: String(a.codec_name), profile: str(a.profile) } : null,
  };
}

/** A stream's display rotation in degrees (phone videos): side data, or the older `rotate` tag. */
function rotationOf(stream: Record<string, unknown>): number {
  const side = (stream.side_data_list ?? []) as Record<string, unknown>[];
  const fromSide = side.find((d) => typeof d.rotation === "number")?.rotation as number | undefined;
  const fromTag = Number((stream.tags as Record<string, string> | undefined)?.rotate ?? 0);
  const r = fromSide ?? (Number.isFinite(fromTag) ? fromTag : 0);
  return ((Math.round(r) % 360) + 360) % 360;
}

// RFC 6381 names: the profile byte and constraint byte of H.264, by ffprobe's profile name.
const AVC_PROFILES: Record<string, string> = {
  "Constrained Baseline": "42e0",
  Baseline: "4200",
  Main: "4d40",
  High: "6400",
};

function codecName(stream: MediaStreams["video"] | MediaStreams["audio"]): string | null {
  if (!stream) return null;
  switch (stream.codec) {
    case "vp8":
    case "vp9":
    case "opus":
    case "vorbis":
      return stream.codec;
    case "h264": {
      const v = stream as NonNullable<MediaStreams["video"]>;
      const profile = v.profile ? AVC_PROFILES[v.profile] : undefined;
      if (!profile || !v.level || v.level <= 0 || v.level > 255) return null;
      return `avc1.${profile}${v.level.toString(16).padStart(2, "0")}`;
    }
    case "aac":
      return stream.profile === "LC"
        ? "mp4a.40.2"
        : stream.profile === "HE-AAC"
        ? "mp4a.40.5"
        : null;
    default:
      return null;
  }
}

/**
 * The MIME type of a file, with its codecs when every stream has a name browsers know, so that a
 * `<source type>` lets a browser skip what it cannot play without fetching it.
 *
 * @example
 * ```ts
 * mediaType("mp4", await probeStreams(tools, "video.mp4")); // 'video/mp4; codecs="avc1.64001f, mp4a.40.2"'
 * ```
 */
export function mediaType(container: "webm" | "mp4", streams: MediaStreams): string {
  const base = `video/${container}`;
  const parts = [streams.video, streams.audio].filter((s) => s !== null);
  const names = parts.map(codecName);
  if (names.length === 0 || names.some((n) => n === null)) return base;
  return `${base}; codecs="${names.join(", ")}"`;
}
