/**
 * Job `remux`: makes a finished recording seekable. MediaRecorder's WebM has no duration and no
 * cues; `ffmpeg -c copy` writes both (H.264 goes to MP4). Also probes the duration and codecs,
 * takes a JPEG thumbnail, and queues the guide and (unless the file plays everywhere already) the
 * MP4 rendition. The video streams through a temporary file, never through memory.
 */
import type { VideoRow } from "../lib/videos/mod.ts";
import { markReady } from "../lib/videos/lifecycle.ts";
import { join } from "node:path";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import {
  ffmpeg,
  type MediaStreams,
  mediaType,
  probeDuration,
  probeStreams,
  ToolMissingError,
  type Tools,
} from "../lib/ffmpeg.ts";
import { PermanentJobError } from "../lib/jobs/runner.ts";
import { enqueueJob, type Job } from "../lib/jobs/queue.ts";
import { RENDITION_PRIORITY } from "./rendition.ts";

/** What the remux job needs. */
export interface RemuxDeps {
  sql: Sql;
  storage: Storage;
  tools: Tools;
  /** Queue an H.264/AAC rendition for recordings that are not (`RENDITIONS`). */
  renditions: boolean;
}

/** Whether every browser plays the file as it is: H.264 video, AAC audio or none, in MP4. */
export function playsEverywhere(container: "webm" | "mp4", streams: MediaStreams): boolean {
  return container === "mp4" && streams.video?.codec === "h264" &&
    (streams.audio === null || streams.audio.codec === "aac");
}

/** Remuxes one video and marks it ready. */
export async function remuxVideo(deps: RemuxDeps, job: Job): Promise<void> {
  const { sql, storage, tools } = deps;
  const [video] = await sql<
    Pick<VideoRow, "id" | "s3_key" | "status" | "mime_type">[]
  >`SELECT id, s3_key, status, mime_type FROM videos WHERE id = ${job.videoId}`;
  if (!video || video.status !== "processing") return;
  const dir = await Deno.makeTempDir({ prefix: "videoflow-remux-" });
  try {
    const input = join(dir, "in");
    await storage.download(video.s3_key, input);
    const streams = await probeStreams(tools, input).catch((err) => {
      if (err instanceof ToolMissingError) throw err;
      throw new PermanentJobError(`the recording cannot be read: ${err.message}`);
    });
    const codec = streams.video?.codec;
    if (!codec) throw new PermanentJobError("the recording has no video stream");
    const ext = codec === "h264" || codec === "hevc" ? "mp4" : "webm";
    const output = join(dir, `video.${ext}`);
    await ffmpeg(tools, [
      "-fflags",
      "+genpts",
      "-i",
      input,
      "-map",
      "0",
      "-c",
      "copy",
      // Opus in MP4 (H.264 recorded with Opus) is "experimental" to ffmpeg before 4.3.
      ...(ext === "mp4" ? ["-movflags", "+faststart", "-strict", "experimental"] : []),
      output,
    ]);
    const duration = await probeDuration(tools, output);
    const thumb = join(dir, "thumb.jpg");
    await makeThumbnail(tools, output, thumb, duration);

    const processedKey = `videos/${video.id}/video.${ext}`;
    const thumbKey = `videos/${video.id}/thumb.jpg`;
    const processedBytes = (await Deno.stat(output)).size;
    const processedType = mediaType(ext === "mp4" ? "mp4" : "webm", streams);
    const rendition = deps.renditions && !playsEverywhere(ext === "mp4" ? "mp4" : "webm", streams);
    await storage.putFile(processedKey, output, ext === "mp4" ? "video/mp4" : "video/webm");
    await storage.putFile(thumbKey, thumb, "image/jpeg");
    // Ready, and the guide (and the rendition, after it) queued in the same transaction.
    const ready = await sql.begin(async (tx) => {
      const ready = await markReady(tx, video.id, {
        duration,
        processedKey,
        processedType,
        processedBytes,
        thumbnailKey: thumbKey,
        rendition,
      });
      if (ready) {
        await enqueueJob(tx, "autodoc", video.id);
        if (rendition) {
          await enqueueJob(tx, "rendition", video.id, { priority: RENDITION_PRIORITY });
        }
      }
      return ready;
    });
    if (!ready) {
      // Deleted while it was being processed: leave nothing behind.
      await storage.delete(processedKey).catch(() => {});
      await storage.delete(thumbKey).catch(() => {});
    }
  } catch (err) {
    if (err instanceof ToolMissingError) throw new PermanentJobError(err.message);
    throw err;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** A 640-px-wide JPEG from a second in (or the first frame of a shorter video). */
async function makeThumbnail(tools: Tools, video: string, out: string, duration: number | null) {
  const at = duration && duration > 2 ? 1 : 0;
  const args = (t: number) => [
    "-ss",
    String(t),
    "-i",
    video,
    "-frames:v",
    "1",
    "-vf",
    "scale='min(640,iw)':-2",
    "-q:v",
    "4",
    "-y",
    out,
  ];
  await ffmpeg(tools, args(at));
  const made = await Deno.stat(out).then((s) => s.size > 0).catch(() => false);
  if (!made && at > 0) await ffmpeg(tools, args(0));
}
