/**
 * Sampling a video for auto-doc in one ffmpeg pass: small grayscale frames on a pipe (for finding
 * the screens) and, beside each, a full-size JPEG in a directory (for reading the chosen ones).
 */
import { join } from "node:path";
import { ToolMissingError, type Tools } from "../ffmpeg.ts";

/** The file has no frame ffmpeg can decode: trying again cannot help. */
export class UnreadableVideoError extends Error {
  override name = "UnreadableVideoError";
}

/** Size of the frames compared. */
export const SMALL_WIDTH = 160;
export const SMALL_HEIGHT = 90;
/** Frames sampled per second. */
export const SAMPLE_FPS = 2;

/** A sampled frame. */
export interface SampledFrame {
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  /** `SMALL_WIDTH`×`SMALL_HEIGHT` gray levels. */
  gray: Uint8Array;
}

/** Path of the full-size JPEG of sample `index` in `dir`. */
export function framePath(dir: string, index: number): string {
  return join(dir, `f${String(index + 1).padStart(6, "0")}.jpg`);
}

/**
 * Decodes `input`, calling `onFrame` for each sample in order (awaited, so a slow consumer slows
 * ffmpeg rather than filling memory). Full-size JPEGs land in `dir` as {@link framePath}; the
 * consumer deletes the ones it does not need. Wider than 1920 px is scaled down: more pixels cost
 * OCR time without helping it read screen text.
 */
export async function sampleFrames(
  tools: Tools,
  input: string,
  dir: string,
  onFrame: (frame: SampledFrame) => Promise<void> | void,
  timeoutMs = 3_600_000,
): Promise<number> {
  const frameBytes = SMALL_WIDTH * SMALL_HEIGHT;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(tools.ffmpegPath, {
      args: [
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-i",
        input,
        "-filter_complex",
        `[0:v:0]fps=${SAMPLE_FPS},split=2[a][b];` +
        `[a]scale=${SMALL_WIDTH}:${SMALL_HEIGHT}:flags=area,format=gray[small];` +
        `[b]scale='min(1920,iw)':-2,format=yuvj420p[full]`,
        "-map",
        "[small]",
        "-f",
        "rawvideo",
        "pipe:1",
        "-map",
        "[full]",
        "-q:v",
        "2",
        "-f",
        "image2",
        join(dir, "f%06d.jpg"),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
      throw new ToolMissingError("ffmpeg not found: install it or set FFMPEG_PATH");
    }
    throw err;
  }
  const stderr = new Response(child.stderr).text();
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  let index = 0;
  let pending = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of child.stdout) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        pending.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          await onFrame({ index, time: index / SAMPLE_FPS, gray: pending });
          index++;
          pending = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw err;
  } finally {
    clearTimeout(deadline);
  }
  const status = await child.status;
  if (timedOut) throw new Error(`decoding took over ${Math.round(timeoutMs / 1000)} s`);
  if (!status.success) {
    const tail = (await stderr).trim().split("\n").slice(-3).join(" | ");
    // A damaged tail (a recording cut off mid-cluster) still leaves everything before it readable.
    if (index > 0) {
      console.warn(`ffmpeg stopped after ${index} frames of ${input}: ${tail}`);
      return index;
    }
    throw new UnreadableVideoError(
      `ffmpeg could not decode the video: ${tail || `exit ${status.code}`}`,
    );
  }
  return index;
}
