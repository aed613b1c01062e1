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

async function run(path: string, variable: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(path, { args, stdout: "piped", stderr: "piped", stdin: "null" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
      const name = variable === "FFMPEG_PATH" ? "ffmpeg" : "ffprobe";
      throw new ToolMissingError(`${name} not found: install it or set ${variable}`);
    }
    throw err;
  }
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${path} exited with ${out.code}: ${stderr}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Runs ffmpeg quietly with `args`. */
export function ffmpeg(tools: Tools, args: string[]): Promise<string> {
  return run(tools.ffmpegPath, "FFMPEG_PATH", ["-hide_banner", "-nostdin", "-v", "error", ...args]);
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

/** The codec name of the first video stream, or null when there is none. */
export async function probeVideoCodec(tools: Tools, path: string): Promise<string | null> {
  const out = await ffprobe(tools, [
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=codec_name",
    "-of",
    "csv=p=0",
    path,
  ]);
  return out.trim() || null;
}
