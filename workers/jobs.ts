/** The job runner with VideoFlow's handlers, for `deno task start` and `deno task worker`. */
import type { Config } from "../lib/config.ts";
import { JOB_KINDS } from "../lib/jobs/kinds.ts";
import type { Tools } from "../lib/ffmpeg.ts";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import type { Rooms } from "../lib/collab/rooms.ts";
import { type JobHandler, JobRunner } from "../lib/jobs/runner.ts";
import { remuxVideo } from "./remux.ts";
import { autodocVideo } from "./autodoc.ts";
import { renditionVideo } from "./rendition.ts";
import { markFailed, markGuideFailed, markRenditionFailed } from "../lib/videos/lifecycle.ts";
import { reap } from "./reaper.ts";

/** Tuning of {@link videoJobRunner}. */
export interface VideoJobOptions {
  concurrency?: number;
  pollMs?: number;
  reapIntervalMs?: number;
  /** Seconds a claimed job stays leased without a heartbeat (a dead worker's job waits this long). */
  leaseS?: number;
  /** Run only these kinds (a machine dedicated to OCR, say); all by default. */
  kinds?: readonly string[];
}

/** Builds the runner; call `start()` on it. */
export function videoJobRunner(
  config: Config,
  tools: Tools,
  sql: Sql,
  storage: Storage,
  rooms: Rooms,
  opts: VideoJobOptions = {},
): JobRunner {
  const all: Record<string, JobHandler> = {
    remux: (job) => remuxVideo({ sql, storage, tools, renditions: config.renditions }, job),
    rendition: (job) => renditionVideo({ sql, storage, tools, enabled: config.renditions }, job),
    autodoc: async (job) => {
      const deps = { sql, storage, rooms, tools, ocrWorkers: config.autodocOcrWorkers };
      const stats = await autodocVideo(deps, job);
      if (stats) {
        console.log(
          `autodoc ${job.videoId}: ${stats.frames} frames, ${stats.segments} screens, ` +
            `${stats.steps} steps in ${stats.totalS.toFixed(2)} s (decode ${
              stats.decodeS.toFixed(2)
            } s, OCR ${stats.ocrS.toFixed(2)} s)`,
        );
      }
    },
  };
  const kinds = opts.kinds ?? JOB_KINDS;
  return new JobRunner({
    sql,
    concurrency: opts.concurrency ?? 2,
    pollMs: opts.pollMs ?? 500,
    leaseS: opts.leaseS ?? 60,
    handlers: Object.fromEntries(Object.entries(all).filter(([kind]) => kinds.includes(kind))),
    // Renditions take minutes on long videos: one loop stays for remuxes and guides.
    background: ["rendition"],
    onGiveUp: async (job, error) => {
      if (!job.videoId) return;
      if (job.kind === "autodoc") return await markGuideFailed(sql, job.videoId, error);
      if (job.kind === "rendition") return await markRenditionFailed(sql, job.videoId, error);
      // The remux: the raw upload stays playable; no guide or rendition can be made either.
      await markFailed(sql, job.videoId, error);
    },
    periodic: [{
      name: "reaper",
      intervalMs: opts.reapIntervalMs ?? 60_000,
      run: async () => {
        await reap(sql, storage, config.recordingResumeWindowS);
      },
    }],
  });
}
