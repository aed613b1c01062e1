/** Choosing among a video's files the ones this browser can play. */
import type { VideoSource } from "../../lib/api/types.ts";

/**
 * The sources this browser says it can play, in the server's order. When it claims none, all of
 * them (a browser's answer is a guess; it may still play one), and `playable` is false.
 *
 * @example
 * ```ts
 * const probe = document.createElement("video");
 * const { sources } = playableSources(video.sources, (t) => probe.canPlayType(t) !== "");
 * ```
 */
export function playableSources(
  sources: VideoSource[],
  canPlay: (type: string) => boolean,
): { sources: VideoSource[]; playable: boolean } {
  const ok = sources.filter((s) => canPlay(s.type));
  return ok.length > 0 ? { sources: ok, playable: true } : { sources, playable: false };
}
