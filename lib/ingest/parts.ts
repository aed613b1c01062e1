/**
 * The record of a recording's uploaded parts (`video_parts`): VideoFlow's own truth about what S3
 * holds, since not every S3 answers ListParts. A part is on record only once S3 has it; a chunk is
 * durable only once the part that ends it is on record.
 *
 * @example
 * ```ts
 * await recordPart(sql, videoId, { part_number: 1, etag, size_bytes: 5 << 20, … });
 * const parts = await listParts(sql, videoId); // in part order
 * ```
 */
import type { Queryable } from "../videos/lifecycle.ts";

/** A part as recorded in `video_parts`. */
export interface PartRow {
  part_number: number;
  etag: string;
  size_bytes: string | number;
  first_seq: number;
  last_seq: number;
  last_seq_bytes: string | number;
  last_seq_complete: boolean;
}

/** Every part of a recording on record, in part order. */
export async function listParts(sql: Queryable, videoId: string): Promise<PartRow[]> {
  return await sql<PartRow[]>`
    SELECT part_number, etag, size_bytes, first_seq, last_seq, last_seq_bytes, last_seq_complete
    FROM video_parts WHERE video_id = ${videoId} ORDER BY part_number`;
}

/** Records an uploaded part; uploading the same part again replaces its record. */
export async function recordPart(sql: Queryable, videoId: string, part: PartRow): Promise<void> {
  await sql`
    INSERT INTO video_parts (video_id, part_number, etag, size_bytes, first_seq, last_seq,
      last_seq_bytes, last_seq_complete)
    VALUES (${videoId}, ${part.part_number}, ${part.etag}, ${part.size_bytes}, ${part.first_seq},
      ${part.last_seq}, ${part.last_seq_bytes}, ${part.last_seq_complete})
    ON CONFLICT (video_id, part_number) DO UPDATE SET etag = EXCLUDED.etag,
      size_bytes = EXCLUDED.size_bytes, first_seq = EXCLUDED.first_seq,
      last_seq = EXCLUDED.last_seq, last_seq_bytes = EXCLUDED.last_seq_bytes,
      last_seq_complete = EXCLUDED.last_seq_complete`;
}

/** Forgets a recording's parts, once its upload is completed elsewhere or aborted. */
export async function forgetParts(sql: Queryable, videoId: string): Promise<void> {
  await sql`DELETE FROM video_parts WHERE video_id = ${videoId}`;
}
