/** The bar under the video: progress, a marker per annotation, click to seek. */
import { formatTime } from "../../lib/format.ts";
import type { AnnotationView } from "../api.ts";
import type { Viewer } from "./collab.ts";
import type { Step } from "../../lib/step_order.ts";

/** Props of {@link Timeline}. */
export interface TimelineProps {
  duration: number | null;
  currentTime: number;
  /** Comments (round markers). */
  annotations: AnnotationView[];
  /** Guide steps (numbered square markers). */
  steps: Step[];
  /** Other viewers, whose playheads are marked. */
  viewers: Viewer[];
  onSeek: (t: number) => void;
}

/** A clickable timeline with annotation markers. */
export function Timeline(
  { duration, currentTime, annotations, steps, viewers, onSeek }: TimelineProps,
) {
  const span = duration && duration > 0 ? duration : Math.max(currentTime, 1);
  const pct = (t: number) => `${Math.min(100, Math.max(0, (t / span) * 100))}%`;
  const seekFromClick = (e: MouseEvent) => {
    const bar = e.currentTarget as HTMLElement;
    const rect = bar.getBoundingClientRect();
    onSeek(((e.clientX - rect.left) / rect.width) * span);
  };
  return (
    <div class="mt-3">
      <div
        data-testid="timeline"
        role="group"
        aria-label={`Timeline, at ${formatTime(currentTime)}; comment and step markers seek`}
        class="relative h-3 cursor-pointer rounded-full bg-slate-200"
        onClick={seekFromClick}
      >
        <div
          class="absolute inset-y-0 left-0 rounded-full bg-indigo-500"
          style={{ width: pct(currentTime) }}
        />
        {viewers.map((v) => (
          <span
            key={v.clientId}
            data-testid="playhead-mark"
            data-name={v.name}
            data-time={v.time.toFixed(2)}
            title={`${v.name} at ${formatTime(v.time)}`}
            class="pointer-events-none absolute -top-2 h-7 w-1 -translate-x-1/2 rounded-full transition-[left] duration-200"
            style={{ left: pct(v.time), backgroundColor: v.color }}
          />
        ))}
        {steps.map((s) => (
          <button
            type="button"
            key={s.id}
            data-testid="step-marker"
            data-timestamp={s.timestamp}
            title={`Step ${s.index} at ${formatTime(s.timestamp)} — ${s.title}`}
            aria-label={`Step ${s.index} at ${formatTime(s.timestamp)}: ${s.title}`}
            class="absolute top-1/2 flex h-5 min-w-5 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-sm border-2 border-white bg-indigo-700 px-0.5 text-[10px] font-bold leading-none text-white shadow hover:scale-125"
            style={{ left: pct(s.timestamp) }}
            onClick={(e) => {
              e.stopPropagation();
              onSeek(s.timestamp);
            }}
          >
            {s.index}
          </button>
        ))}
        {annotations.map((a) => (
          <button
            type="button"
            key={a.id}
            data-testid="marker"
            data-timestamp={a.timestamp}
            title={`${formatTime(a.timestamp)} — ${a.content}`}
            aria-label={`Comment at ${formatTime(a.timestamp)}: ${a.content}`}
            class="absolute top-1/2 h-4 w-4 -translate-x-1/2 -translate-y-1/2 rounded-full border-2 border-white bg-amber-500 shadow hover:scale-125"
            style={{ left: pct(a.timestamp) }}
            onClick={(e) => {
              e.stopPropagation();
              onSeek(a.timestamp);
            }}
          />
        ))}
      </div>
      <div class="mt-1 flex justify-between text-xs tabular-nums text-slate-500">
        <span>{formatTime(currentTime)}</span>
        <span>{formatTime(duration)}</span>
      </div>
    </div>
  );
}
