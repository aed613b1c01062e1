/**
 * Who may do what with a video. Its owner does everything; anyone with the link views and
 * comments on a `link` video; a `private` video is its owner's alone. A video made before accounts
 * has no owner: the holder of its upload token manages it, and anyone with its link views it.
 */
import type { User } from "./auth/sessions.ts";
import { tokenMatches } from "./tokens.ts";

/** The fields of a video that access depends on. */
export interface Guarded {
  owner_id: string | null;
  visibility: "private" | "link";
  upload_token_hash: string | null;
}

/** Whether `user` (null: not signed in) may view the video, its guide and its comments. */
export function canView(video: Guarded, user: User | null): boolean {
  return video.visibility === "link" || video.owner_id === null ||
    (user !== null && user.id === video.owner_id);
}

/** Whether the request may change the video: its owner, or for an ownerless one its upload token. */
export function isOwner(video: Guarded, user: User | null, bearer: string | null): boolean {
  if (video.owner_id !== null) return user !== null && user.id === video.owner_id;
  return tokenMatches(bearer, video.upload_token_hash);
}
