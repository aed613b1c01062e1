/**
 * Job `rendition`: an H.264/AAC MP4 (`+faststart`) beside a recording that is not, so that the
 * link plays on iPhones and older Safari, which do not play WebM. The source's size (down to fit
 * 1920×1080) and its frame timing are kept; H.264 video or AAC audio already there is copied, not
 * encoded again. The file streams through a temporary directory, never through memory.
 */
import type { VideoRow } from "../lib/videos/mod.ts";
import { dropRendition, markRenditionDone, startRendition } from "../lib/videos/lifecycle.ts";
import { join } from "node:path";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import {
  ffmpeg,
  type FfmpegAbilities,
  ffmpegAbilities,
  type MediaStreams,
  mediaType,
  probeStreams,
  ToolMissingError,
  type Tools,
} from "../lib/ffmpeg.ts";
import { PermanentJobError } from "../lib/jobs/runner.ts";
import type { Job } from "../lib/jobs/queue.ts";

/** What the rendition job needs. */
export interface RenditionDeps {
  sql: Sql;
  storage: Storage;
  tools: Tools;
  /** `RENDITIONS`: when off, queued renditions are dropped rather than made. */
  enabled: boolean;
}

/** Where a rendition job stands in the queue: after the guide and the remux (see `enqueueJob`). */
export const RENDITION_PRIORITY = -10;

/** The largest frame a rendition keeps: 1080p, either way up. */
const MAX_LONG_SIDE = 1920;
const MAX_SHORT_SIDE = 1080;

/** The S3 key of a video's rendition. */
export function renditionKey(videoId: string): string {
  return `videos/${videoId}/rendition.mp4`;
}

/**
 * The frame size of the rendition: the source's, scaled down (never up) to fit 1080p, both sides
 * even as H.264's 4:2:0 needs.
 */
export function renditionSize(width: number, height: number): { width: number; height: number } {
  const f = Math.min(
    1,
    MAX_LONG_SIDE / Math.max(width, height),
    MAX_SHORT_SIDE / Math.min(width, height),
  );
  const even = (n: number) => Math.max(2, Math.floor((n * f) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/**
 * The video filter: the first frame's size (upright), scaled down to fit 1080p. Frames of another
 * size later on (a resized window being captured) are fitted inside it and padded, never stretched:
 * an H.264 stream keeps one size.
 */
export function renditionFilter(video: NonNullable<MediaStreams["video"]>): string {
  if (!video.width || !video.height) return "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1";
  // ffmpeg turns rotated frames upright before the filter.
  const sideways = video.rotation === 90 || video.rotation === 270;
  const { width: w, height: h } = sideways
    ? renditionSize(video.height, video.width)
    : renditionSize(video.width, video.height);
  return `scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
}

/** ffmpeg's arguments from `input` to the MP4 `output`. */
export function renditionArgs(
  input: string,
  output: string,
  streams: MediaStreams,
  abilities: FfmpegAbilities,
): string[] {
  const video = streams.video;
  if (!video) throw new Error("no video stream");
  const copyVideo = video.codec === "h264";
  const videoArgs = copyVideo ? ["-c:v", "copy"] : [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-profile:v",
    "high",
    // The level a phone checks before playing: 4.2 holds 1080p at 60 fps. Left to itself, x264
    // takes MediaRecorder's millisecond time base for 1000 fps and writes level 6.0, which
    // iPhones refuse.
    "-level:v",
    "4.2",
    "-pix_fmt",
    "yuv420p",
    "-vf",
    renditionFilter(video),
    // A key frame every 2 s: a phone seeks without decoding from far back.
    "-force_key_frames",
    "expr:gte(t,n_forced*2)",
  ];
  const audioArgs = !streams.audio
    ? ["-an"]
    : streams.audio.codec === "aac"
    ? ["-c:a", "copy"]
    : ["-c:a", "aac", "-b:a", "128k"];
  return [
    "-i",
    input,
    "-map",
    "0:v:0",
    ...(streams.audio ? ["-map", "0:a:0"] : []),
    ...videoArgs,
    ...audioArgs,
    // MediaRecorder's frames come when the screen changes: keep their times, add no frames.
    ...abilities.vfrArgs,
    "-movflags",
    "+faststart",
    "-y",
    output,
  ];
}

/** Makes the rendition of one ready video, if it still wants one. */
export async function renditionVideo(deps: RenditionDeps, job: Job): Promise<void> {
  const { sql, storage, tools } = deps;
  if (!deps.enabled) {
    // Turned off since it was queued: no MP4 is coming.
    await dropRendition(sql, job.videoId!);
    return;
  }
  const video = await startRendition(sql, job.videoId!);
  if (!video) return;
  const abilities = await ffmpegAbilities(tools).catch((err) => {
    // Retrying cannot bring a missing or broken ffmpeg back.
    throw new PermanentJobError(
      err instanceof ToolMissingError ? err.message : `ffmpeg does not run: ${err.message}`,
    );
  });
  if (!abilities.libx264) {
    throw new PermanentJobError(
      "this ffmpeg has no libx264 encoder: install one that has (Debian's does) or set RENDITIONS=false",
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "videoflow-rendition-" });
  const key = renditionKey(video.id);
  try {
    const input = join(dir, "in");
    await storage.download(video.processed_key, input);
    const streams = await probeStreams(tools, input).catch((err) => {
      if (err instanceof ToolMissingError) throw err;
      throw new PermanentJobError(`the recording cannot be read: ${err.message}`);
    });
    if (!streams.video) throw new PermanentJobError("the recording has no video stream");
    const output = join(dir, "rendition.mp4");
    // At low priority: it runs beside the guide on the other job loop, and the guide goes first.
    await ffmpeg(tools, renditionArgs(input, output, streams, abilities), {
      background: true,
      // Far beyond what any encode here took (0.6× real time at worst): a stuck ffmpeg.
      timeoutMs: (600 + 20 * (video.duration ?? 3600)) * 1000,
    });
    const type = mediaType("mp4", await probeStreams(tools, output));
    const bytes = (await Deno.stat(output)).size;
    await storage.putFile(key, output, "video/mp4");
    // 'done' too: a worker that lost its lease may finish after the one that took the job over;
    // both wrote the same file to the same key.
    if (!(await markRenditionDone(sql, video.id, { key, type, bytes }))) {
      // Deleted meanwhile (its objects may be gone already): leave nothing behind.
      const [still] = await sql<
        Pick<VideoRow, "status">[]
      >`SELECT status FROM videos WHERE id = ${video.id}`;
      if (!still || still.status === "deleting") await storage.delete(key).catch(() => {});
    }
  } catch (err) {
    if (err instanceof ToolMissingError) throw new PermanentJobError(err.message);
    throw err;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
