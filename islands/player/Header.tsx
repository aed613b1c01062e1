/** The player's header: the title (a field for the owner), who is watching, the live and video status. */
import { formatTime } from "../../lib/format.ts";
import type { VideoStatus } from "../../lib/api/types.ts";
import type { Viewer } from "./collab.ts";

const STATUS_TEXT: Record<string, string> = {
  recording: "Recording in progress",
  processing: "Processing — playable already",
  ready: "Ready",
  failed: "Processing failed",
};

/** Props of {@link Header}. */
export interface HeaderProps {
  isOwner: boolean;
  /** The title as saved. */
  savedTitle: string | null;
  /** The owner's title field, as typed. */
  title: string;
  onTitle: (title: string) => void;
  onSaveTitle: () => void;
  viewers: Viewer[];
  collabStatus: string;
  status: VideoStatus;
}

/** The header above the video. */
export function Header(
  { isOwner, savedTitle, title, onTitle, onSaveTitle, viewers, collabStatus, status }: HeaderProps,
) {
  return (
    <div class="mb-3 flex flex-wrap items-center gap-3">
      {/* The owner edits the title in a field; the page keeps its heading for screen readers. */}
      {isOwner && <h1 class="sr-only">{savedTitle || "Untitled recording"}</h1>}
      {isOwner
        ? (
          <input
            aria-label="Title"
            class="min-w-0 flex-1 rounded-md border border-transparent bg-transparent px-1 text-2xl font-semibold hover:border-slate-300 focus:border-indigo-500 focus:outline-none"
            value={title}
            placeholder="Untitled recording"
            onInput={(e) => onTitle((e.target as HTMLInputElement).value)}
            onBlur={onSaveTitle}
            onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
          />
        )
        : (
          <h1 class="min-w-0 flex-1 truncate text-2xl font-semibold">
            {savedTitle || "Untitled recording"}
          </h1>
        )}
      <div class="flex items-center gap-1" aria-label="Watching now">
        {viewers.map((v) => (
          <span
            key={v.clientId}
            data-testid="viewer"
            title={`${v.name}${v.self ? " (you)" : ""}, ${v.playing ? "playing" : "paused"} at ${
              formatTime(v.time)
            }`}
            class="flex h-8 w-8 items-center justify-center rounded-full text-xs font-semibold text-white ring-2 ring-white"
            style={{ backgroundColor: v.color }}
          >
            {v.name.slice(0, 2).toUpperCase()}
          </span>
        ))}
      </div>
      <span
        data-testid="collab-status"
        class={`text-xs ${collabStatus === "connected" ? "text-emerald-700" : "text-amber-700"}`}
      >
        {collabStatus === "connected"
          ? "Live"
          : collabStatus === "connecting"
          ? "Connecting…"
          : "Offline, changes kept"}
      </span>
      <span
        data-testid="status"
        class={`rounded-full px-3 py-1 text-xs font-medium ${
          status === "ready"
            ? "bg-emerald-100 text-emerald-800"
            : status === "failed"
            ? "bg-rose-100 text-rose-800"
            : "bg-amber-100 text-amber-800"
        }`}
      >
        {STATUS_TEXT[status] ?? status}
      </span>
    </div>
  );
}
