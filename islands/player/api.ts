/** The player's calls to the API, and the shapes it gets back. */
import { storageKeys } from "../../lib/format.ts";
import type { AnnotationEntry } from "../../lib/collab/entry.ts";
import type { RenditionStatus, VideoSource } from "../../lib/videos/mod.ts";

/** A video as `GET /api/videos/{id}` answers it. */
export interface VideoView {
  id: string;
  title: string | null;
  status: string;
  duration: number | null;
  mimeType: string;
  sizeBytes: number;
  error: string | null;
  createdAt: string;
  playbackUrl: string | null;
  /** The files to offer as `<source>`s, in the order to try them (empty: nothing to play yet). */
  sources: VideoSource[];
  thumbnailUrl: string | null;
  /** The MP4 made for browsers without WebM. */
  rendition: RenditionView;
  doc: DocView;
  /** Who sees it: only its owner, or anyone with the link. */
  visibility: "private" | "link";
  /** Whether the person asking owns it. */
  owned?: boolean;
}

/** Where a video's guide is (`doc` of the video JSON). */
export interface DocView {
  status: "pending" | "running" | "done" | "failed" | null;
  progress: number | null;
  error: string | null;
}

/** Where a video's MP4 rendition is (`rendition` of the video JSON; status null: none needed). */
export interface RenditionView {
  status: RenditionStatus | null;
  error: string | null;
}

/** An annotation as the API answers it. */
export type AnnotationView = AnnotationEntry;

async function json<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(body?.error?.message ?? `request failed (${res.status})`);
    throw Object.assign(err, { status: res.status });
  }
  return body as T;
}

/** The upload token this browser holds for a video, if it recorded it. */
export function ownerToken(videoId: string): string | null {
  try {
    return localStorage.getItem(storageKeys.owner(videoId));
  } catch {
    return null;
  }
}

/** Fetches the video again (fresh playback URL, current status). */
export async function fetchVideo(id: string): Promise<VideoView> {
  return json(await fetch(`/api/videos/${id}`));
}

/** Renames a video or changes who sees it (owner only). */
export async function updateVideo(
  videoId: string,
  change: { title?: string; visibility?: "private" | "link" },
): Promise<VideoView> {
  const res = await fetch(`/api/videos/${videoId}`, {
    method: "PATCH",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${ownerToken(videoId) ?? ""}`,
    },
    body: JSON.stringify(change),
  });
  return json(res);
}

/** Asks for the guide to be written (again); owner only. */
export async function regenerateDoc(videoId: string): Promise<void> {
  await json(
    await fetch(`/api/videos/${videoId}/doc`, {
      method: "POST",
      headers: { authorization: `Bearer ${ownerToken(videoId) ?? ""}` },
    }),
  );
}
