/**
 * The job table: background work claimed with `FOR UPDATE SKIP LOCKED` and held under a lease, so a
 * job whose worker died is taken again once the lease expires. Polled: PGlite delivers no NOTIFY.
 */
import type { Sql } from "../db/mod.ts";

/** A claimed job. */
export interface Job {
  id: number;
  kind: string;
  videoId: string | null;
  attempts: number;
  maxAttempts: number;
}

/** Something that can run SQL: the pool or a transaction. */
type Runner = Pick<Sql, "unsafe">;

/** Queues a job of `kind` for a video. */
export async function enqueueJob(
  sql: Sql | Runner,
  kind: string,
  videoId: string | null,
  opts: {
    maxAttempts?: number;
    delayS?: number;
    /** Among due jobs, higher is claimed first (default 0). */
    priority?: number;
  } = {},
): Promise<number> {
  const rows = await sql.unsafe(
    `INSERT INTO jobs (kind, video_id, max_attempts, run_at, priority)
     VALUES ($1, $2, $3, NOW() + make_interval(secs => $4), $5) RETURNING id`,
    [kind, videoId, opts.maxAttempts ?? 3, opts.delayS ?? 0, opts.priority ?? 0],
  );
  return Number(rows[0].id);
}

/**
 * Claims the next due job of one of `kinds` for `workerId` (highest priority first,
 * then oldest), leasing it for `leaseS` seconds; `null` when none is due.
 */
export async function claimJob(
  sql: Sql,
  kinds: string[],
  workerId: string,
  leaseS: number,
): Promise<Job | null> {
  const rows = await sql`
    UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ${workerId},
      locked_until = NOW() + make_interval(secs => ${leaseS}), updated_at = NOW()
    WHERE id = (
      SELECT id FROM jobs
      WHERE kind = ANY(${kinds}) AND run_at <= NOW()
        AND (status = 'queued' OR (status = 'running' AND locked_until < NOW()))
      ORDER BY priority DESC, run_at, id
      FOR UPDATE SKIP LOCKED
      LIMIT 1
    )
    RETURNING id, kind, video_id, attempts, max_attempts`;
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    id: Number(r.id),
    kind: r.kind,
    videoId: r.video_id,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
  };
}

/** Extends the lease of a job still held by `workerId`; false when it was taken away. */
export async function extendLease(
  sql: Sql,
  jobId: number,
  workerId: string,
  leaseS: number,
): Promise<boolean> {
  const rows = await sql`
    UPDATE jobs SET locked_until = NOW() + make_interval(secs => ${leaseS}), updated_at = NOW()
    WHERE id = ${jobId} AND locked_by = ${workerId} AND status = 'running' RETURNING id`;
  return rows.length > 0;
}

/** Marks a job done. */
export async function completeJob(sql: Sql, jobId: number, workerId: string): Promise<void> {
  await sql`UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = NOW()
    WHERE id = ${jobId} AND locked_by = ${workerId}`;
}

/**
 * Records a failed attempt: the job is queued again after a backoff, or marked failed when it has
 * no attempts left. Returns true when it failed for good.
 */
export async function failJob(
  sql: Sql,
  job: Job,
  workerId: string,
  error: string,
  permanent = false,
): Promise<boolean> {
  const final = permanent || job.attempts >= job.maxAttempts;
  await sql`
    UPDATE jobs SET status = ${final ? "failed" : "queued"}, last_error = ${error.slice(0, 2000)},
      locked_until = NULL, run_at = NOW() + make_interval(secs => ${2 ** job.attempts}),
      updated_at = NOW()
    WHERE id = ${job.id} AND locked_by = ${workerId}`;
  return final;
}
