/** The job runner with VideoFlow's handlers, for `deno task start` and `deno task worker`. */
import type { Config } from "../lib/config.ts";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import { JobRunner } from "../lib/jobs/runner.ts";
import { markVideoFailed, remuxVideo } from "./remux.ts";
import { reap } from "./reaper.ts";

/** Builds the runner; call `start()` on it. */
export function videoJobRunner(
  config: Config,
  sql: Sql,
  storage: Storage,
  opts: { concurrency?: number; pollMs?: number; reapIntervalMs?: number } = {},
): JobRunner {
  const deps = { sql, storage, tools: config };
  return new JobRunner({
    sql,
    concurrency: opts.concurrency ?? 2,
    pollMs: opts.pollMs ?? 500,
    handlers: { remux: (job) => remuxVideo(deps, job) },
    onGiveUp: async (job, error) => {
      if (job.videoId) await markVideoFailed(sql, job.videoId, error);
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
