/**
 * Where a video's document lives in PostgreSQL: an append-only log of Yjs updates (compacted now
 * and then), and the `annotations` table, which follows the document.
 */
import * as Y from "yjs";
import type { Sql } from "../db/mod.ts";
import { type AnnotationEntry, invalidEntry } from "./entry.ts";
import { isUuid } from "../http.ts";

/** Log rows above which a load compacts the log into one update. */
const COMPACT_ABOVE = 200;

/** Reads a video's whole log, in order. */
export async function readUpdates(
  sql: Sql,
  videoId: string,
): Promise<{ id: number; data: Uint8Array }[]> {
  const rows = await sql`SELECT id, data FROM yjs_updates
    WHERE video_id = ${videoId} ORDER BY id`;
  return rows.map((r) => ({ id: Number(r.id), data: new Uint8Array(r.data) }));
}

/**
 * Reads what other processes logged since `afterId`, and again the last few seconds: ids are
 * taken at insert but become visible at commit, so a lower id can appear after a higher one.
 * Applying an update twice changes nothing.
 */
export async function readNewUpdates(
  sql: Sql,
  videoId: string,
  afterId: number,
): Promise<{ id: number; data: Uint8Array }[]> {
  const rows = await sql`SELECT id, data FROM yjs_updates
    WHERE video_id = ${videoId}
      AND (id > ${afterId} OR created_at > NOW() - INTERVAL '5 seconds')
    ORDER BY id`;
  return rows.map((r) => ({ id: Number(r.id), data: new Uint8Array(r.data) }));
}

/** Appends updates to the log; returns the id of the last one. */
export async function appendUpdates(
  sql: Sql,
  videoId: string,
  updates: Uint8Array[],
): Promise<number> {
  if (updates.length === 0) return 0;
  const merged = updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
  const [row] = await sql`INSERT INTO yjs_updates (video_id, data)
    VALUES (${videoId}, ${Buffer.from(merged)}) RETURNING id`;
  return Number(row.id);
}

/**
 * Replaces the log rows up to `upToId` with one merged update. Rows appended meanwhile (by this or
 * another process) have higher ids and are kept: nothing is lost.
 */
export async function compactLog(sql: Sql, videoId: string, upToId: number): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx`SELECT id, data FROM yjs_updates
      WHERE video_id = ${videoId} AND id <= ${upToId} ORDER BY id FOR UPDATE`;
    if (rows.length < 2) return;
    const merged = Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data)));
    await tx`DELETE FROM yjs_updates WHERE video_id = ${videoId} AND id <= ${upToId}`;
    // Keeps the place of the rows it replaces, so readers polling "after id" miss nothing new.
    await tx`INSERT INTO yjs_updates (id, video_id, data)
      VALUES (${upToId}, ${videoId}, ${Buffer.from(merged)})`;
  });
}

/** Whether a log this long should be compacted. */
export function needsCompaction(rows: number): boolean {
  return rows > COMPACT_ABOVE;
}

/** Annotation rows of a video, as document entries (for a video made before the log existed). */
export async function entriesFromRows(sql: Sql, videoId: string): Promise<AnnotationEntry[]> {
  const rows = await sql`SELECT uid, timestamp, content, type, author, created_at, data
    FROM annotations WHERE video_id = ${videoId} AND uid IS NOT NULL`;
  return rows.map((r) => ({
    id: r.uid,
    timestamp: r.timestamp,
    content: r.content ?? "",
    type: r.type ?? "comment",
    author: r.author,
    createdAt: (r.created_at as Date).toISOString(),
    ...(r.data !== null ? { data: r.data } : {}),
  }));
}

/**
 * Makes the `annotations` rows of `keys` match the document: valid entries are inserted or
 * updated, keys no longer in it (or invalid) are deleted.
 */
export async function syncRows(
  sql: Sql,
  videoId: string,
  map: Y.Map<unknown>,
  keys: Iterable<string>,
  duration: number | null,
): Promise<void> {
  const upserts: AnnotationEntry[] = [];
  const deletes: string[] = [];
  for (const key of keys) {
    const value = map.get(key);
    if (value !== undefined && invalidEntry(key, value, duration) === null) {
      upserts.push(value as AnnotationEntry);
    } else if (isUuid(key)) {
      deletes.push(key);
    }
  }
  if (upserts.length === 0 && deletes.length === 0) return;
  await sql.begin(async (tx) => {
    for (const e of upserts) {
      await tx`INSERT INTO annotations (video_id, uid, timestamp, content, type, author, data, created_at)
        VALUES (${videoId}, ${e.id}, ${e.timestamp}, ${e.content}, ${e.type}, ${e.author ?? null},
          ${
        e.data === undefined || e.data === null ? null : tx.json(e.data as never)
      }, ${e.createdAt})
        ON CONFLICT (uid) DO UPDATE SET timestamp = EXCLUDED.timestamp, content = EXCLUDED.content,
          type = EXCLUDED.type, author = EXCLUDED.author, data = EXCLUDED.data
        WHERE annotations.video_id = ${videoId}`;
    }
    if (deletes.length > 0) {
      await tx`DELETE FROM annotations WHERE video_id = ${videoId} AND uid = ANY(${deletes})`;
    }
  });
}

/** One row of a video's update log. */
export interface LogUpdate {
  id: number;
  data: Uint8Array;
}

/**
 * Where a room keeps its document: the line y-websocket's server drew between the protocol and
 * its persistence. The room speaks the protocol; a store reads and writes the log and the rows.
 */
export interface RoomStore {
  /** The whole log of a video, in order. */
  readUpdates(videoId: string): Promise<LogUpdate[]>;
  /** What was logged (by any process) since `afterId`, give or take a few already seen. */
  readNewUpdates(videoId: string, afterId: number): Promise<LogUpdate[]>;
  /** Appends updates (merged into one row). */
  appendUpdates(videoId: string, updates: Uint8Array[]): Promise<number>;
  /** Merges the log up to `upToId` into one row. */
  compact(videoId: string, upToId: number): Promise<void>;
  /** The entries of a video made before its log existed. */
  entriesFromRows(videoId: string): Promise<AnnotationEntry[]>;
  /** Makes the rows of `keys` match the document. */
  syncRows(
    videoId: string,
    map: Y.Map<unknown>,
    keys: Iterable<string>,
    duration: number | null,
  ): Promise<void>;
}

/** The PostgreSQL store: `yjs_updates` and `annotations`. */
export function postgresRoomStore(sql: Sql): RoomStore {
  return {
    readUpdates: (videoId) => readUpdates(sql, videoId),
    readNewUpdates: (videoId, afterId) => readNewUpdates(sql, videoId, afterId),
    appendUpdates: (videoId, updates) => appendUpdates(sql, videoId, updates),
    compact: (videoId, upToId) => compactLog(sql, videoId, upToId),
    entriesFromRows: (videoId) => entriesFromRows(sql, videoId),
    syncRows: (videoId, map, keys, duration) => syncRows(sql, videoId, map, keys, duration),
  };
}
