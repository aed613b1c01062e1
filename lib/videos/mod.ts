/** Videos: their rows, their objects in S3, and the JSON the API answers with. */
import type {
  DocStatus,
  PlayableVideoJson,
  RenditionStatus,
  VideoJson,
  VideoSource,
  VideoStatus,
} from "../api/types.ts";
import type { Sql } from "../db/mod.ts";
import type { Storage } from "../storage/s3.ts";
import type { Playback } from "../storage/playback.ts";
import { hashToken, newToken } from "../tokens.ts";
import { stepImageKey, stepUid } from "../guide.ts";
import type { User } from "../auth/sessions.ts";

/** A video row, as the app reads it. */
export interface VideoRow {
  id: string;
  title: string | null;
  s3_key: string;
  status: VideoStatus;
  duration: number | null;
  upload_id: string | null;
  created_at: Date;
  mime_type: string;
  size_bytes: string;
  upload_token_hash: string | null;
  processed_key: string | null;
  thumbnail_key: string | null;
  error: string | null;
  doc_status: DocStatus | null;
  doc_progress: number | null;
  doc_error: string | null;
  doc_images: number;
  owner_id: string | null;
  visibility: "private" | "link";
  recovered: boolean;
  upload_closed: boolean;
  finished_at: Date | null;
  /** The part size the recording started with (kept for its whole upload). */
  part_bytes: number | null;
  /** The recorder's own clock, BIGINT as text. */
  client_duration_ms: string | null;
  last_activity_at: Date;
  updated_at: Date;
  processed_type: string | null;
  processed_bytes: string | null;
  rendition_status: RenditionStatus | null;
  rendition_key: string | null;
  rendition_type: string | null;
  rendition_bytes: string | null;
  rendition_error: string | null;
}

/** Accepted recording types: WebM (VP8/VP9/AV1/H.264 with Opus) and MP4. */
const MIME_RE = /^video\/(webm|mp4|x-matroska)(;\s*codecs="?[\w.,\s]{1,100}"?)?$/i;

/** Whether a client's `mimeType` is one VideoFlow records. */
export function isAcceptedMimeType(mime: string): boolean {
  return mime.length <= 200 && MIME_RE.test(mime.trim());
}

/** The file extension for a recording's MIME type. */
export function extensionFor(mime: string): string {
  const sub = MIME_RE.exec(mime.trim())?.[1].toLowerCase();
  return sub === "mp4" ? "mp4" : sub === "x-matroska" ? "mkv" : "webm";
}

/** Creates a recording: the row and the S3 multipart upload. Returns its id and upload token. */
export async function createRecording(
  sql: Sql,
  storage: Storage,
  input: { title: string | null; mimeType: string; partBytes: number; ownerId: string | null },
): Promise<{ id: string; uploadToken: string }> {
  const id = crypto.randomUUID();
  const key = `videos/${id}/original.${extensionFor(input.mimeType)}`;
  const baseType = input.mimeType.split(";")[0].trim().toLowerCase();
  const uploadId = await storage.createMultipart(key, baseType);
  const uploadToken = newToken();
  await sql`
    INSERT INTO videos (id, title, s3_key, status, upload_id, mime_type, upload_token_hash,
      part_bytes, owner_id)
    VALUES (${id}, ${input.title}, ${key}, 'recording', ${uploadId}, ${input.mimeType.trim()},
      ${hashToken(uploadToken)}, ${input.partBytes}, ${input.ownerId})`;
  return { id, uploadToken };
}

/** One video, or `null`. */
export async function getVideo(sql: Sql, id: string): Promise<VideoRow | null> {
  const [row] = await sql<VideoRow[]>`SELECT * FROM videos WHERE id = ${id}`;
  return row ?? null;
}

/** A person's videos, newest first, without cancelled ones. */
export async function listVideos(
  sql: Sql,
  ownerId: string,
  limit = 100,
  offset = 0,
): Promise<VideoRow[]> {
  return await sql<VideoRow[]>`
    SELECT * FROM videos WHERE owner_id = ${ownerId} AND status NOT IN ('cancelled', 'deleting')
    ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`;
}

/** Renames a video or changes who sees it; returns the updated row. */
export async function updateVideo(
  sql: Sql,
  id: string,
  change: { title?: string; visibility?: "private" | "link" },
): Promise<VideoRow | null> {
  const [row] = await sql<VideoRow[]>`
    UPDATE videos SET title = COALESCE(${change.title ?? null}, title),
      visibility = COALESCE(${change.visibility ?? null}, visibility), updated_at = NOW()
    WHERE id = ${id} RETURNING *`;
  return row ?? null;
}

/** Marks a video as being deleted (see `lifecycle.ts`); call {@link deleteVideo} after. */
export { markDeleting } from "./lifecycle.ts";

/** Every key a video's objects can have, whatever its processing reached. */
export function videoKeys(video: Pick<VideoRow, "id" | "s3_key">): string[] {
  const dir = `videos/${video.id}/`;
  return [
    video.s3_key,
    `${dir}video.webm`,
    `${dir}video.mp4`,
    `${dir}rendition.mp4`,
    `${dir}thumb.jpg`,
  ];
}

/**
 * Every key a guide's screenshots can have: step ids are numbered, and the row counts the most a
 * guide job ever stored (also ones it stored and never wrote as steps).
 */
function stepImageKeys(video: Pick<VideoRow, "id" | "doc_images">): string[] {
  return Array.from(
    { length: video.doc_images },
    (_, i) => stepImageKey(video.id, stepUid(video.id, i + 1)),
  );
}

/** Deletes a video: its objects (best effort, an open upload aborted) and its rows. */
export async function deleteVideo(sql: Sql, storage: Storage, id: string): Promise<void> {
  const [video] = await sql<VideoRow[]>`SELECT * FROM videos WHERE id = ${id}`;
  if (!video) return;
  if (video.upload_id && !video.upload_closed) {
    await storage.abortMultipart(video.s3_key, video.upload_id).catch(() => false);
  }
  for (const key of [...videoKeys(video), ...stepImageKeys(video)]) {
    await storage.delete(key).catch(() => {});
  }
  await sql.begin(async (tx) => {
    await tx`DELETE FROM annotations WHERE video_id = ${video.id}`;
    await tx`DELETE FROM videos WHERE id = ${video.id}`;
  });
}

/**
 * The files a player may play, those with known codecs first, then smallest first (a browser takes
 * the first it can play): the
 * recording (remuxed once processed) and, once made, its MP4 rendition.
 */
async function videoSources(
  video: VideoRow,
  playback: { signer: Playback; origin: string },
): Promise<VideoSource[]> {
  const files = [{
    key: video.processed_key ?? video.s3_key,
    // Before processing, only the container is sure: the client's codecs are its own claim.
    type: video.processed_key
      ? video.processed_type ?? (video.processed_key.endsWith(".mp4") ? "video/mp4" : "video/webm")
      : `video/${extensionFor(video.mime_type) === "mp4" ? "mp4" : "webm"}`,
    bytes: Number(video.processed_bytes ?? video.size_bytes),
  }];
  if (video.rendition_status === "done" && video.rendition_key) {
    files.push({
      key: video.rendition_key,
      type: video.rendition_type ?? "video/mp4",
      bytes: Number(video.rendition_bytes ?? Number.MAX_SAFE_INTEGER),
    });
  }
  // A type without codecs is a browser's "maybe" (HEVC in MP4, say): a file it surely plays first.
  const sure = (type: string) => (type.includes("codecs=") ? 0 : 1);
  files.sort((a, b) => sure(a.type) - sure(b.type) || a.bytes - b.bytes);
  return await Promise.all(
    files.map(async (f) => ({
      type: f.type,
      url: await playback.signer.url(f.key, playback.origin),
    })),
  );
}

export type { DocStatus, RenditionStatus, VideoSource, VideoStatus };

/**
 * The API's JSON for a video; `playback` set adds `playbackUrl` and `thumbnailUrl` (pass it only
 * for someone allowed to view the video); `viewer` set adds whether they own it.
 */
export function videoJson(
  video: VideoRow,
  playback: { signer: Playback; origin: string },
  viewer?: User | null,
): Promise<PlayableVideoJson>;
export function videoJson(
  video: VideoRow,
  playback?: undefined,
  viewer?: User | null,
): Promise<VideoJson>;
export async function videoJson(
  video: VideoRow,
  playback?: { signer: Playback; origin: string },
  viewer?: User | null,
): Promise<VideoJson | PlayableVideoJson> {
  const json: VideoJson = {
    id: video.id,
    title: video.title,
    status: video.status,
    duration: video.duration,
    mimeType: video.processed_key?.endsWith(".mp4")
      ? "video/mp4"
      : video.processed_key
      ? "video/webm"
      : video.mime_type,
    sizeBytes: Number(video.size_bytes),
    recovered: video.recovered,
    error: video.status === "failed" ? video.error : null,
    doc: {
      status: video.doc_status,
      progress: video.doc_progress,
      error: video.doc_status === "failed" || video.doc_status === "pending"
        ? video.doc_error
        : null,
    },
    createdAt: video.created_at.toISOString(),
    finishedAt: video.finished_at?.toISOString() ?? null,
    url: `/v/${video.id}`,
    visibility: video.visibility,
    rendition: {
      status: video.rendition_status,
      // ffmpeg's words name server paths: the owner reads them, others a plain sentence.
      error: video.rendition_status !== "failed"
        ? null
        : viewer && viewer.id === video.owner_id
        ? video.rendition_error
        : "the version for browsers without WebM could not be made",
    },
  };
  if (viewer !== undefined) json.owned = viewer !== null && viewer.id === video.owner_id;
  if (!playback) return json;
  const playable = video.status === "ready" || video.status === "processing" ||
    (video.status === "failed" && video.finished_at !== null);
  const key = video.processed_key ?? video.s3_key;
  return {
    ...json,
    playbackUrl: playable ? await playback.signer.url(key, playback.origin) : null,
    sources: playable ? await videoSources(video, playback) : [],
    thumbnailUrl: video.thumbnail_key
      ? await playback.signer.url(video.thumbnail_key, playback.origin)
      : null,
  };
}
