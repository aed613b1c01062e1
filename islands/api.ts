/**
 * The islands' one client of the API: every call the browser makes (but the recorder's chunk
 * upload, which speaks the ingest protocol) goes through {@link api}, which reads the API's errors
 * (`{"error": {"code", "message"}}`) one way. The shapes are the server's own (`lib/api/types.ts`).
 *
 * @example
 * ```ts
 * try {
 *   const video = await fetchVideo(id);
 * } catch (err) {
 *   if (err instanceof ApiRequestError && err.status === 404) showGone();
 * }
 * ```
 */
import { storageKeys } from "../lib/format.ts";
import type { AnnotationEntry } from "../lib/collab/entry.ts";
import type { DocView, PlayableVideoJson, RenditionView, Visibility } from "../lib/api/types.ts";

/** A video as `GET /api/videos/{id}` answers it (the server builds it with `videoJson`). */
export type VideoView = PlayableVideoJson;
export type { DocView, RenditionView };

/** An annotation as the API answers it. */
export type AnnotationView = AnnotationEntry;

/** A refused or failed call: the HTTP status, the API's error code and its message. */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** One call: JSON in and out; `token` sends `Authorization: Bearer`. Throws {@link ApiRequestError}. */
export async function api<T>(
  path: string,
  opts: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiRequestError(0, "network", "the server cannot be reached");
  }
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiRequestError(
      res.status,
      body?.error?.code ?? "failed",
      body?.error?.message ?? `request failed (${res.status})`,
    );
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

/** Starts a recording (signed in). */
export function createRecording(title: string, mimeType: string) {
  return api<{ id: string; uploadToken: string; ingestUrl: string }>("/api/videos", {
    method: "POST",
    body: { title: title || null, mimeType: mimeType || "video/webm" },
  });
}

/** Cancels an unfinished recording with its upload token. */
export function cancelRecording(videoId: string, token: string): Promise<unknown> {
  return api(`/api/videos/${videoId}/cancel`, { method: "POST", token });
}

/** Fetches the video again (fresh playback URL, current status). */
export function fetchVideo(id: string): Promise<VideoView> {
  return api(`/api/videos/${id}`);
}

/** Renames a video or changes who sees it (owner only); answers the video as GET does. */
export function updateVideo(
  videoId: string,
  change: { title?: string; visibility?: Visibility },
): Promise<VideoView> {
  return api(`/api/videos/${videoId}`, {
    method: "PATCH",
    body: change,
    token: ownerToken(videoId),
  });
}

/** Deletes a video (owner only). */
export function deleteVideo(videoId: string): Promise<null> {
  return api(`/api/videos/${videoId}`, { method: "DELETE", token: ownerToken(videoId) });
}

/** Asks for the guide to be written (again); owner only. */
export async function regenerateDoc(videoId: string): Promise<void> {
  await api(`/api/videos/${videoId}/doc`, { method: "POST", token: ownerToken(videoId) });
}

/** A change to the guide's steps (owner only): `path` under the video, e.g. `/steps/{id}`. */
export function changeSteps<T>(
  videoId: string,
  path: string,
  method: string,
  body?: unknown,
): Promise<T> {
  return api(`/api/videos/${videoId}${path}`, { method, body, token: ownerToken(videoId) });
}

/** Signs in or up; the session cookie comes with the answer. */
export function authenticate(mode: "login" | "signup", fields: Record<string, unknown>) {
  return api(`/api/auth/${mode}`, { method: "POST", body: fields });
}
