/**
 * Job `autodoc`: turns a recording into a guide. One ffmpeg pass samples small gray frames (to
 * find the screens that hold still) and full-size JPEGs (kept only for the frames chosen); the
 * chosen frames are read by a pool of tesseract workers; the steps, with their screenshots in S3,
 * replace the video's previous steps through its live document. Progress is on the video row.
 */
import type { VideoRow } from "../lib/videos/mod.ts";
import {
  markGuideDone,
  markGuideRetrying,
  markGuideRunning,
  recordGuideImages,
} from "../lib/videos/lifecycle.ts";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import type { Rooms } from "../lib/collab/rooms.ts";
import { probeDuration, ToolMissingError, type Tools } from "../lib/ffmpeg.ts";
import { PermanentJobError } from "../lib/jobs/runner.ts";
import type { Job } from "../lib/jobs/queue.ts";
import { framePath, sampleFrames, UnreadableVideoError } from "../lib/autodoc/frames.ts";
import { type Segment, SegmentFinder } from "../lib/autodoc/segments.ts";
import { type OcrPage, OcrPool } from "../lib/autodoc/ocr.ts";
import { type DraftStep, mergeSteps, pageText } from "../lib/autodoc/page.ts";
import { type NewStep, replaceSteps, stepImageKey, stepUid } from "../lib/guide.ts";
import { join } from "node:path";

/** What the auto-doc job needs. */
export interface AutodocDeps {
  sql: Sql;
  storage: Storage;
  rooms: Rooms;
  tools: Tools;
  ocrWorkers: number;
}

/** Figures of one run, for the benchmark and the logs. */
export interface AutodocStats {
  frames: number;
  segments: number;
  steps: number;
  decodeS: number;
  ocrS: number;
  totalS: number;
}

/** Share of the progress bar given to decoding; OCR takes the rest up to 95 %. */
const DECODE_SHARE = 40;

/** Runs the job for one video. */
export async function autodocVideo(deps: AutodocDeps, job: Job): Promise<AutodocStats | null> {
  const { sql, storage, tools } = deps;
  const [video] = await sql<
    Pick<VideoRow, "id" | "status" | "s3_key" | "processed_key" | "duration">[]
  >`
    SELECT id, status, s3_key, processed_key, duration FROM videos WHERE id = ${job.videoId}`;
  if (!video || !["ready", "failed"].includes(video.status)) return null;
  // Progress is written until the run ends either way: a read still finishing after a failure
  // must not mark the video as running again.
  let ended = false;
  const progress = async (percent: number) => {
    if (!ended) await markGuideRunning(sql, video.id, percent);
  };
  await progress(0);
  const dir = await Deno.makeTempDir({ prefix: "videoflow-autodoc-" });
  const started = performance.now();
  let pool: OcrPool | null = null;
  try {
    const input = join(dir, "video");
    const framesDir = join(dir, "frames");
    await Deno.mkdir(framesDir);
    await storage.download(video.processed_key ?? video.s3_key, input);
    const duration = video.duration ?? await probeDuration(tools, input) ?? 0;

    // 1. Find the screens that hold still for a second or more.
    const finder = new SegmentFinder();
    const segments: Segment[] = [];
    let lastReport = performance.now();
    const frames = await sampleFrames(tools, input, framesDir, async (f) => {
      const closed = finder.push(f.gray, f.time, f.index);
      if (closed) segments.push(closed);
      // The previous frame is kept only when it is the last of a screen just closed.
      else if (f.index > 0) await Deno.remove(framePath(framesDir, f.index - 1)).catch(() => {});
      if (performance.now() - lastReport > 1000 && duration > 0) {
        lastReport = performance.now();
        await progress(Math.min(DECODE_SHARE, (f.time / duration) * DECODE_SHARE));
      }
    }, decodeTimeoutMs(duration));
    const last = finder.finish();
    if (last) segments.push(last);
    const decodeS = (performance.now() - started) / 1000;

    // 2. Read each screen.
    const ocrStarted = performance.now();
    const drafts: DraftStep[] = [];
    if (segments.length > 0) {
      const ocr = pool = await OcrPool.start(Math.min(deps.ocrWorkers, segments.length));
      const pages: OcrPage[] = [];
      let next = 0;
      // As many reads in flight as workers: a frame is loaded only when a worker is free.
      await Promise.all(Array.from({ length: ocr.size }, async () => {
        while (next < segments.length) {
          const i = next++;
          pages[i] = await ocr.read(framePath(framesDir, segments[i].frame));
          const done = pages.filter(Boolean).length;
          await progress(DECODE_SHARE + (done / segments.length) * (95 - DECODE_SHARE));
        }
      }));
      segments.forEach((s, i) =>
        drafts.push({ ...pageText(pages[i]), timestamp: s.start, frame: s.frame })
      );
    }
    const ocrS = (performance.now() - ocrStarted) / 1000;
    const merged = mergeSteps(drafts);

    // 3. Store the screenshots, then swap the steps in one document transaction. The row learns
    // first how many there may be, so deleting the video finds them all whatever happens next.
    await recordGuideImages(sql, video.id, merged.length);
    const steps: NewStep[] = [];
    for (const [i, d] of merged.entries()) {
      const key = stepImageKey(video.id, stepUid(video.id, i + 1));
      await storage.putFile(key, framePath(framesDir, d.frame), "image/jpeg");
      steps.push({
        timestamp: d.timestamp,
        title: d.title,
        text: d.text,
        imageKey: key,
        confidence: d.confidence,
      });
    }
    const room = await deps.rooms.open(video.id);
    if (!room) {
      // Deleted meanwhile: take back what this run stored.
      for (const s of steps) await storage.delete(s.imageKey!).catch(() => {});
      return null;
    }
    await room.pullLog();
    const unused = await replaceSteps(room, steps);
    for (const key of unused) await storage.delete(key).catch(() => {});
    ended = true;
    await markGuideDone(sql, video.id);
    return {
      frames,
      segments: segments.length,
      steps: steps.length,
      decodeS,
      ocrS,
      totalS: (performance.now() - started) / 1000,
    };
  } catch (err) {
    ended = true;
    if (err instanceof ToolMissingError) throw new PermanentJobError(err.message);
    if (err instanceof UnreadableVideoError) {
      throw new PermanentJobError(`the recording cannot be read: ${err.message}`);
    }
    // Tried again later; the details go to the log, not to every viewer.
    await markGuideRetrying(sql, video.id).catch(() => {});
    throw err;
  } finally {
    await pool?.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The longest decoding may take: far past what it needs (about 0.02 s per second of video). */
function decodeTimeoutMs(durationS: number): number {
  return Math.max(600, durationS * 2) * 1000;
}
