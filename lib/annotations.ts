/** Annotations: comments (and, later, auto-doc steps) pinned to a moment of a video. */
import type { Sql } from "./db/mod.ts";
import { hashToken, newToken, tokenMatches } from "./tokens.ts";

/** An annotation as the API and the collaboration document carry it. */
export interface Annotation {
  id: string;
  timestamp: number;
  content: string;
  type: string;
  author: string | null;
  createdAt: string;
  data: unknown;
}

interface AnnotationRow {
  uid: string;
  timestamp: number;
  content: string;
  type: string;
  author: string | null;
  created_at: Date;
  data: unknown;
  delete_token_hash: string | null;
}

function toAnnotation(r: AnnotationRow): Annotation {
  return {
    id: r.uid,
    timestamp: r.timestamp,
    content: r.content,
    type: r.type,
    author: r.author,
    createdAt: r.created_at.toISOString(),
    data: r.data ?? null,
  };
}

/** A video's annotations, in timestamp order. */
export async function listAnnotations(sql: Sql, videoId: string): Promise<Annotation[]> {
  const rows = await sql<AnnotationRow[]>`
    SELECT uid, timestamp, content, type, author, created_at, data FROM annotations
    WHERE video_id = ${videoId} ORDER BY timestamp, created_at, uid`;
  return rows.map(toAnnotation);
}

/**
 * Adds an annotation. Returns it with a `deleteToken`: the capability to delete it, kept by the
 * browser that wrote it (stored here only as a hash).
 */
export async function addAnnotation(
  sql: Sql,
  videoId: string,
  input: { timestamp: number; content: string; type: string; author: string | null },
): Promise<Annotation & { deleteToken: string }> {
  const deleteToken = newToken();
  const [row] = await sql<AnnotationRow[]>`
    INSERT INTO annotations (video_id, timestamp, content, type, author, delete_token_hash)
    VALUES (${videoId}, ${input.timestamp}, ${input.content}, ${input.type}, ${input.author},
      ${hashToken(deleteToken)})
    RETURNING uid, timestamp, content, type, author, created_at, data`;
  return { ...toAnnotation(row), deleteToken };
}

/** The outcome of a delete request. */
export type DeleteOutcome = "deleted" | "not_found" | "forbidden";

/**
 * Deletes an annotation when `token` is its delete token or the video owner's token (checked by
 * the caller and passed as `isOwner`).
 */
export async function deleteAnnotation(
  sql: Sql,
  videoId: string,
  uid: string,
  token: string | null,
  isOwner: boolean,
): Promise<DeleteOutcome> {
  const [row] = await sql<AnnotationRow[]>`
    SELECT delete_token_hash FROM annotations WHERE video_id = ${videoId} AND uid = ${uid}`;
  if (!row) return "not_found";
  if (!isOwner && !tokenMatches(token, row.delete_token_hash)) return "forbidden";
  await sql`DELETE FROM annotations WHERE video_id = ${videoId} AND uid = ${uid}`;
  return "deleted";
}
