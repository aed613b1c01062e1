/**
 * The life of a video, in one place: every change of a video's status, of its guide's status and
 * of its rendition's status goes through a named transition here. Each one is guarded by the state
 * it starts from (a conditional `UPDATE … WHERE status = …`), so two processes racing (a finish and
 * the reaper, a job and a delete) cannot both move the same video, and each says whether it did.
 *
 * ```
 * recording ──markProcessing──▶ processing ──markReady──▶ ready
 *     │  └──markEmpty──▶ failed      └──markFailed──▶ failed
 *     └──markCancelled──▶ cancelled
 * any ──markDeleting──▶ deleting (then the row goes)
 *
 * guide (doc_status):       pending ─▶ running ─▶ done | failed   (requestGuide: back to pending)
 * rendition:                pending ─▶ running ─▶ done | failed   (null: none needed or off)
 * ```
 *
 * @example
 * ```ts
 * await sql.begin(async (tx) => {
 *   if (await markReady(tx, id, processed)) await enqueueJob(tx, "autodoc", id);
 * });
 * ```
 */
import type postgres from "postgres";

/** The pool or a transaction: transitions that queue a job run inside the caller's transaction. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

async function changed(rows: Promise<postgres.RowList<postgres.Row[]>>): Promise<boolean> {
  return (await rows).length > 0;
}

// ── the recording ──────────────────────────────────────────────────────────────────────────────

/** `recording` → `processing`: the upload is complete. False when it was not recording. */
export function markProcessing(
  sql: Queryable,
  id: string,
  done: { sizeBytes: number; clientDurationMs: number | null; recovered: boolean },
): Promise<boolean> {
  return changed(sql`UPDATE videos SET status = 'processing', size_bytes = ${done.sizeBytes},
      client_duration_ms = ${done.clientDurationMs}, recovered = ${done.recovered},
      upload_closed = TRUE, finished_at = NOW(), updated_at = NOW()
    WHERE id = ${id} AND status = 'recording' RETURNING id`);
}

/** `recording` → `failed`: finished without a byte. */
export function markEmpty(sql: Queryable, id: string): Promise<boolean> {
  return changed(sql`UPDATE videos SET status = 'failed', error = 'the recording holds no data',
      upload_closed = TRUE, finished_at = NOW(), updated_at = NOW()
    WHERE id = ${id} AND status = 'recording' RETURNING id`);
}

/**
 * → `cancelled` (from recording, or a repeated cancel); returns the upload to abort, or null when
 * the video is gone or past recording.
 */
export async function markCancelled(
  sql: Queryable,
  id: string,
): Promise<{ s3_key: string; upload_id: string | null } | null> {
  const [row] = await sql<{ s3_key: string; upload_id: string | null }[]>`
    UPDATE videos SET status = 'cancelled', updated_at = NOW()
    WHERE id = ${id} AND status IN ('recording', 'cancelled') RETURNING s3_key, upload_id`;
  return row ?? null;
}

/** Records that a video's multipart upload is over (completed or aborted). */
export async function markUploadClosed(sql: Queryable, id: string): Promise<void> {
  await sql`UPDATE videos SET upload_closed = TRUE WHERE id = ${id}`;
}

/**
 * Marks the recordings `ids` as active now (a connected recorder). With `staleAfterS`, only if
 * still recording and idle that long: the reaper's claim, so two reapers never take the same one.
 */
export async function touchActivity(
  sql: Queryable,
  ids: string[],
  staleAfterS?: number,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = staleAfterS === undefined
    ? await sql<{ id: string }[]>`UPDATE videos SET last_activity_at = NOW()
        WHERE id = ANY(${ids}) RETURNING id`
    : await sql<{ id: string }[]>`UPDATE videos SET last_activity_at = NOW()
        WHERE id = ANY(${ids}) AND status = 'recording'
          AND last_activity_at < NOW() - make_interval(secs => ${staleAfterS}) RETURNING id`;
  return rows.map((r) => r.id);
}

/** Whatever the status, → `deleting`: no page shows it and no session loads it any more. */
export function markDeleting(sql: Queryable, id: string): Promise<boolean> {
  return changed(sql`UPDATE videos SET status = 'deleting', updated_at = NOW()
    WHERE id = ${id} AND status <> 'deleting' RETURNING id`);
}

/** What the remux made of a recording. */
export interface Processed {
  duration: number | null;
  processedKey: string;
  processedType: string;
  processedBytes: number;
  thumbnailKey: string;
  /** Whether an MP4 rendition is to be made. */
  rendition: boolean;
}

/**
 * `processing` → `ready`, the guide (and the rendition, if wanted) `pending`: call in the
 * transaction that queues their jobs. False when the video was not processing (deleted, say).
 */
export function markReady(sql: Queryable, id: string, p: Processed): Promise<boolean> {
  return changed(sql`UPDATE videos SET status = 'ready', duration = ${p.duration},
      processed_key = ${p.processedKey}, thumbnail_key = ${p.thumbnailKey}, error = NULL,
      processed_type = ${p.processedType}, processed_bytes = ${p.processedBytes},
      rendition_status = ${p.rendition ? "pending" : null}, rendition_error = NULL,
      doc_status = 'pending', doc_progress = 0, doc_error = NULL, updated_at = NOW()
    WHERE id = ${id} AND status = 'processing' RETURNING id`);
}

/**
 * `processing` → `failed` for good: the raw upload stays playable, and neither a guide nor a
 * rendition can be made, for the same reason.
 */
export function markFailed(sql: Queryable, id: string, reason: string): Promise<boolean> {
  return changed(sql`UPDATE videos SET status = 'failed', error = ${reason}, doc_status = 'failed',
      doc_error = ${reason}, rendition_status = NULL, updated_at = NOW()
    WHERE id = ${id} AND status = 'processing' RETURNING id`);
}

// ── the guide ──────────────────────────────────────────────────────────────────────────────────

/** The guide is (re)queued: `pending`, no progress, no error. Call with the job's enqueue. */
export function requestGuide(sql: Queryable, id: string): Promise<boolean> {
  return changed(sql`UPDATE videos SET doc_status = 'pending', doc_progress = 0, doc_error = NULL,
      updated_at = NOW()
    WHERE id = ${id} AND status IN ('ready', 'failed') RETURNING id`);
}

/** The guide is being written, `percent` done. */
export async function markGuideRunning(sql: Queryable, id: string, percent: number) {
  await sql`UPDATE videos SET doc_status = 'running', doc_progress = ${Math.floor(percent)},
    doc_error = NULL WHERE id = ${id} AND doc_status IN ('pending', 'running')`;
}

/** Counts the screenshots a guide job may have stored, so deleting the video deletes them all. */
export async function recordGuideImages(sql: Queryable, id: string, count: number) {
  await sql`UPDATE videos SET doc_images = GREATEST(doc_images, ${count}) WHERE id = ${id}`;
}

/** The guide is written. */
export async function markGuideDone(sql: Queryable, id: string) {
  await sql`UPDATE videos SET doc_status = 'done', doc_progress = 100, doc_error = NULL,
    updated_at = NOW() WHERE id = ${id}`;
}

/** A temporary problem stopped the guide; its job will be tried again. */
export async function markGuideRetrying(sql: Queryable, id: string) {
  await sql`UPDATE videos SET doc_status = 'pending',
    doc_error = 'a temporary problem stopped the guide: it will be tried again'
    WHERE id = ${id} AND doc_status IN ('pending', 'running')`;
}

/** The guide could not be made, with the reason users see. */
export async function markGuideFailed(sql: Queryable, id: string, reason: string) {
  await sql`UPDATE videos SET doc_status = 'failed', doc_error = ${reason}, updated_at = NOW()
    WHERE id = ${id}`;
}

// ── the rendition ──────────────────────────────────────────────────────────────────────────────

/** Renditions were turned off after this one was queued: none is coming. */
export async function dropRendition(sql: Queryable, id: string) {
  await sql`UPDATE videos SET rendition_status = NULL, updated_at = NOW()
    WHERE id = ${id} AND rendition_status IN ('pending', 'running')`;
}

/**
 * `pending` (or `running`, a job retaken after its worker died) → `running`, for a ready video;
 * returns what the job needs, or null when no rendition is wanted any more.
 */
export async function startRendition(
  sql: Queryable,
  id: string,
): Promise<{ id: string; processed_key: string; duration: number | null } | null> {
  const [row] = await sql<{ id: string; processed_key: string; duration: number | null }[]>`
    UPDATE videos SET rendition_status = 'running', updated_at = NOW()
    WHERE id = ${id} AND status = 'ready' AND processed_key IS NOT NULL
      AND rendition_status IN ('pending', 'running')
    RETURNING id, processed_key, duration`;
  return row ?? null;
}

/**
 * → `done` with the file. From `running`, or from `done`: a worker that lost its lease may finish
 * after the one that took the job over, both having written the same file to the same key.
 */
export function markRenditionDone(
  sql: Queryable,
  id: string,
  file: { key: string; type: string; bytes: number },
): Promise<boolean> {
  return changed(sql`UPDATE videos SET rendition_status = 'done', rendition_key = ${file.key},
      rendition_type = ${file.type}, rendition_bytes = ${file.bytes}, rendition_error = NULL,
      updated_at = NOW()
    WHERE id = ${id} AND status = 'ready' AND rendition_status IN ('running', 'done')
    RETURNING id`);
}

/** The rendition failed for good; the WebM still plays where WebM plays. */
export async function markRenditionFailed(sql: Queryable, id: string, reason: string) {
  await sql`UPDATE videos SET rendition_status = 'failed', rendition_error = ${reason},
    updated_at = NOW()
    WHERE id = ${id} AND rendition_status IN ('pending', 'running')`;
}
