/** Formatting shared by server pages and islands. */

/** Seconds as `m:ss` (or `h:mm:ss` from an hour on). */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–:––";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A byte count for people: `12.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Where the browser keeps the capability tokens it was given. */
export const storageKeys = {
  /** The upload token of a recording made in this browser: it owns the video. */
  owner: (videoId: string) => `videoflow.owner.${videoId}`,
  /** The delete token of a comment written in this browser. */
  comment: (uid: string) => `videoflow.comment.${uid}`,
  /** The name this browser comments under. */
  author: "videoflow.author",
};

/**
 * The player's path at a moment: a tenth of a second past it, so the frame shown is the one that
 * moment starts (a step's screen, not the one before).
 */
export function momentUrl(videoId: string, timestamp: number): string {
  const t = Math.ceil(timestamp * 10 + 1e-6) / 10;
  return t > 0 ? `/v/${videoId}?t=${t}` : `/v/${videoId}`;
}
