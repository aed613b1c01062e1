/**
 * Annotations: comments (and, later, auto-doc steps) pinned to a moment of a video. Writes go
 * through the video's live document; reads come from the rows that follow it.
 */
import type { Sql } from "./db/mod.ts";
import { hashToken, newToken, tokenMatches } from "./tokens.ts";
import type { AnnotationEntry } from "./collab/entry.ts";
import { FROM_SERVER, type Room } from "./collab/room.ts";

/** An annotation as the API and the collaboration document carry it. */
export type Annotation = AnnotationEntry & { data: unknown };

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
 * Adds an annotation through the video's live document (so connected viewers see it at once) and
 * waits until it is in the rows. Returns it with a `deleteToken`: the capability to delete it,
 * kept by the browser that wrote it (stored here only as a hash).
 */
export async function addAnnotation(
  sql: Sql,
  room: Room,
  input: { timestamp: number; content: string; type: string; author: string | null },
): Promise<Annotation & { deleteToken: string }> {
  const entry: AnnotationEntry = {
    id: crypto.randomUUID(),
    timestamp: input.timestamp,
    content: input.content,
    type: input.type,
    author: input.author,
    createdAt: new Date().toISOString(),
  };
  room.doc.transact(() => room.annotations.set(entry.id, entry), FROM_SERVER);
  await room.flush();
  const deleteToken = newToken();
  await sql`UPDATE annotations SET delete_token_hash = ${hashToken(deleteToken)}
    WHERE uid = ${entry.id}`;
  return { ...entry, author: entry.author, data: null, deleteToken };
}

/** The outcome of a delete request. */
export type DeleteOutcome = "deleted" | "not_found" | "forbidden";

/**
 * Deletes an annotation when `token` is its delete token or `isOwner` (the video owner's token,
 * checked by the caller); through the live document, like every write.
 */
export async function deleteAnnotation(
  sql: Sql,
  room: Room,
  uid: string,
  token: string | null,
  isOwner: boolean,
): Promise<DeleteOutcome> {
  const [row] = await sql<AnnotationRow[]>`
    SELECT delete_token_hash FROM annotations WHERE video_id = ${room.videoId} AND uid = ${uid}`;
  if (!row && !room.annotations.has(uid)) return "not_found";
  if (!isOwner && !tokenMatches(token, row?.delete_token_hash ?? null)) return "forbidden";
  room.doc.transact(() => room.annotations.delete(uid), FROM_SERVER);
  await room.flush();
  return "deleted";
}
