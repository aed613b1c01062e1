/**
 * The reaper: completes recordings whose recorder vanished (no connection for
 * `RECORDING_RESUME_WINDOW_S`) from their durable parts, marking them recovered, and aborts the
 * uploads of cancelled or failed recordings.
 */
import type { VideoRow } from "../lib/videos/mod.ts";
import { forgetParts } from "../lib/ingest/parts.ts";
import { markUploadClosed, touchActivity } from "../lib/videos/lifecycle.ts";
import type { Sql } from "../lib/db/mod.ts";
import type { Storage } from "../lib/storage/s3.ts";
import { completeRecording } from "../lib/ingest/session.ts";

/** What the reaper did in one pass. */
export interface ReapResult {
  recovered: string[];
  /** Uploads of cancelled or failed recordings that are over (aborted, or S3 cannot abort). */
  aborted: string[];
  /** Uploads whose abort failed (S3 unreachable): left open for the next pass. */
  retry: string[];
}

/**
 * One pass. `graceS` is added to the window, so a process that still holds a session (and its open
 * part) finishes it first.
 */
export async function reap(
  sql: Sql,
  storage: Storage,
  windowS: number,
  graceS = 300,
): Promise<ReapResult> {
  const result: ReapResult = { recovered: [], aborted: [], retry: [] };
  const stale = await sql<Pick<VideoRow, "id">[]>`
    SELECT id FROM videos WHERE status = 'recording'
      AND last_activity_at < NOW() - make_interval(secs => ${windowS + graceS})
    ORDER BY last_activity_at LIMIT 50`;
  for (const { id } of stale) {
    // Claim it by touching it, so two reapers never complete the same recording.
    const claimed = await touchActivity(sql, [id], windowS + graceS);
    if (claimed.length === 0) continue;
    try {
      await completeRecording(sql, storage, id, { durationMs: null, recovered: true });
      result.recovered.push(id);
    } catch (err) {
      console.error(`reaper: recording ${id} could not be recovered: ${err}`);
    }
  }
  const dead = await sql<Pick<VideoRow, "id" | "s3_key" | "upload_id">[]>`
    SELECT id, s3_key, upload_id FROM videos
    WHERE status IN ('cancelled', 'failed') AND upload_id IS NOT NULL AND NOT upload_closed
    LIMIT 50`;
  for (const v of dead) {
    try {
      // False: S3 cannot abort (the embedded one) or has no such upload; either way it is over.
      if (v.upload_id) await storage.abortMultipart(v.s3_key, v.upload_id);
    } catch (err) {
      console.error(
        `reaper: the upload of ${v.id} could not be aborted, tried again later: ${err}`,
      );
      result.retry.push(v.id);
      continue;
    }
    await markUploadClosed(sql, v.id);
    await forgetParts(sql, v.id);
    result.aborted.push(v.id);
  }
  return result;
}
