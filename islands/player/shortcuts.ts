/** The player's keyboard: Space/K play or pause, J/L ±5 s, ←/→ ±1 s, C comment at this moment. */
import { type RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** What a key does, or null when the player leaves it alone (typing, a focused control, a chord). */
export function shortcutFor(
  e: Pick<KeyboardEvent, "key" | "metaKey" | "ctrlKey" | "altKey" | "isComposing" | "target">,
): "toggle" | "comment" | { by: number } | null {
  const target = e.target as HTMLElement | null;
  if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) {
    return null;
  }
  if (e.metaKey || e.ctrlKey || e.altKey || e.isComposing) return null;
  // Space on a focused button presses that button.
  if (e.key === " " && target?.closest?.("button, a, video")) return null;
  switch (e.key) {
    case " ":
    case "k":
      return "toggle";
    case "j":
      return { by: -5 };
    case "l":
      return { by: 5 };
    case "ArrowLeft":
      return { by: -1 };
    case "ArrowRight":
      return { by: 1 };
    case "c":
      return "comment";
    default:
      return null;
  }
}

/** Listens to the page's keys while the player is mounted. */
export function useShortcuts(
  videoRef: RefObject<HTMLVideoElement>,
  seek: (seconds: number) => void,
  onComment: (at: number) => void,
): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = videoRef.current;
      const action = el ? shortcutFor(e) : null;
      if (!el || !action) return;
      if (action === "toggle") {
        if (el.paused) el.play().catch(() => {});
        else el.pause();
      } else if (action === "comment") {
        onComment(el.currentTime);
      } else {
        seek(el.currentTime + action.by);
      }
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [seek]);
}
