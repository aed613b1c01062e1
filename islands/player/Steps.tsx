/** The player's Steps tab: the guide auto-doc wrote, its progress while it is written, or why not. */
import { formatTime } from "../../lib/format.ts";
import { type Step, stepImagePath } from "../../lib/step_order.ts";
import type { DocView } from "../api.ts";

/** Props of {@link Steps}. */
export interface StepsProps {
  videoId: string;
  steps: Step[];
  doc: DocView;
  /** The step on screen now (the last one started), if any. */
  activeId: string | null;
  isOwner: boolean;
  onSeek: (t: number) => void;
  onRegenerate: () => void;
}

/** The list of steps with thumbnails; a click seeks to the step. */
export function Steps(
  { videoId, steps, doc, activeId, isOwner, onSeek, onRegenerate }: StepsProps,
) {
  const busy = doc.status === "pending" || doc.status === "running";
  return (
    <div class="flex min-h-0 flex-col gap-3">
      {busy && (
        <div data-testid="doc-progress" role="status" class="rounded-lg bg-indigo-50 px-3 py-2">
          <p class="text-sm text-indigo-900">
            {doc.status === "pending"
              ? "The guide is queued…"
              : `Writing the guide from the screens… ${doc.progress ?? 0} %`}
          </p>
          <div class="mt-2 h-1.5 overflow-hidden rounded-full bg-indigo-100">
            <div
              class="h-full rounded-full bg-indigo-600 transition-[width] duration-500"
              style={{ width: `${doc.progress ?? 0}%` }}
            />
          </div>
        </div>
      )}
      {doc.status === "failed" && (
        <p
          data-testid="doc-error"
          role="alert"
          class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800"
        >
          The guide could not be made: {doc.error ?? "unknown error"}
        </p>
      )}
      {steps.length === 0 && !busy && doc.status !== "failed" && (
        <p class="text-sm text-slate-500">
          {doc.status === "done"
            ? "No text was found on screen, so there are no steps."
            : "No guide for this recording yet."}
        </p>
      )}
      <ol class="flex max-h-[28rem] flex-col gap-2 overflow-y-auto">
        {steps.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              data-testid="step"
              data-step-id={s.id}
              aria-current={s.id === activeId ? "step" : undefined}
              class={`flex w-full gap-3 rounded-lg px-2 py-2 text-left text-sm hover:bg-slate-100 ${
                s.id === activeId ? "bg-indigo-50 ring-1 ring-indigo-300" : "bg-slate-50"
              }`}
              onClick={() => onSeek(s.timestamp)}
            >
              {s.imageKey
                ? (
                  <img
                    src={stepImagePath(videoId, s)}
                    alt=""
                    loading="lazy"
                    class="h-12 w-20 shrink-0 rounded border border-slate-200 bg-white object-cover"
                  />
                )
                : <span class="h-12 w-20 shrink-0 rounded bg-slate-200" />}
              <span class="min-w-0">
                <span class="block font-medium text-slate-800">
                  {s.index}. {s.title || `Step ${s.index}`}
                </span>
                <span class="font-mono text-xs text-indigo-700">{formatTime(s.timestamp)}</span>
              </span>
            </button>
          </li>
        ))}
      </ol>
      <div class="flex flex-wrap gap-2 text-sm">
        {steps.length > 0 && (
          <a
            href={`/v/${videoId}/doc`}
            class="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100"
          >
            Open the guide
          </a>
        )}
        {isOwner && !busy && (
          <button
            type="button"
            data-testid="doc-regenerate"
            onClick={onRegenerate}
            class="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100"
          >
            {steps.length > 0 || doc.status === "failed"
              ? "Write the guide again"
              : "Write the guide"}
          </button>
        )}
      </div>
    </div>
  );
}

/** The step on screen at `time`: the last one (in time) that started at or before it. */
export function activeStep(steps: Step[], time: number): Step | null {
  let found: Step | null = null;
  for (const s of steps) {
    if (s.timestamp <= time + 0.05 && (!found || s.timestamp >= found.timestamp)) found = s;
  }
  return found;
}
