/** Annotations shown over the video around their moment, fading out as playback moves on. */
import type { AnnotationView } from "../api.ts";

/** How long after its timestamp an annotation stays on the video, in seconds. */
export const OVERLAY_SECONDS = 4;

/** The annotations to show at `time`, with their opacity (1 fading to 0). */
export function visibleAt(annotations: AnnotationView[], time: number) {
  return annotations
    .filter((a) => time >= a.timestamp - 0.25 && time < a.timestamp + OVERLAY_SECONDS)
    .map((a) => ({
      annotation: a,
      opacity: Math.min(1, Math.max(0, (a.timestamp + OVERLAY_SECONDS - time) / 1.5)),
    }))
    .slice(-3);
}

/** The overlay layer, driven by the player's `currentTime`. */
export function Overlay(props: { annotations: AnnotationView[]; currentTime: number }) {
  const shown = visibleAt(props.annotations, props.currentTime);
  return (
    <div
      data-testid="overlay"
      aria-live="polite"
      class="pointer-events-none absolute inset-x-0 bottom-14 flex flex-col items-start gap-2 px-4"
    >
      {shown.map(({ annotation, opacity }) => (
        <div
          key={annotation.id}
          data-testid="overlay-annotation"
          class="max-w-md rounded-lg bg-slate-900/80 px-3 py-2 text-sm text-white shadow-lg transition-opacity duration-300"
          style={{ opacity }}
        >
          {annotation.author && (
            <span class="mr-1 font-semibold text-amber-300">{annotation.author}</span>
          )}
          {annotation.content}
        </div>
      ))}
    </div>
  );
}
