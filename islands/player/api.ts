/** The player's calls to the API, and the shapes it gets back. */
import { storageKeys } from "../../lib/format.ts";
import type { AnnotationEntry } from "../../lib/collab/entry.ts";
import type { DocView, PlayableVideoJson, RenditionView } from "../../lib/api/types.ts";

/** A video as `GET /api/videos/{id}` answers it (the server builds it with `videoJson`). */
export type VideoView = PlayableVideoJson;
export type { DocView, RenditionView };

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
