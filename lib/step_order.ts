/**
 * Reading a `step` annotation's data and putting steps in guide order. Pure, shared by the server
 * (API, Markdown, guide page) and the player in the browser.
 */

/** Longest step title and text, in characters. */
export const MAX_TITLE = 200;
export const MAX_TEXT = 4000;

/** What auto-doc keeps in a step's `data`. */
export interface StepData {
  title: string;
  text: string;
  /** S3 key of the step's screenshot (always under the video's `steps/` folder). */
  imageKey: string | null;
  /** Mean OCR word confidence, 0–1. */
  confidence: number;
  /** Place in the guide; the owner can reorder. */
  position: number;
}

/** A step of a guide, numbered from 1 in guide order. */
export interface Step extends StepData {
  id: string;
  index: number;
  timestamp: number;
  /** When this version of the step was written (a rerun writes the same ids anew). */
  createdAt: string;
}

/**
 * The app URL of a step's screenshot by step id: it stays the step's through reordering, and
 * changes with a new run (whose images are new under the same ids).
 */
export function stepImagePath(videoId: string, step: Pick<Step, "id" | "createdAt">): string {
  return `/api/videos/${videoId}/steps/${step.id}.jpg?v=${encodeURIComponent(step.createdAt)}`;
}

/** A step's data from whatever the document or a row holds, with defaults for missing fields. */
export function toStepData(raw: unknown, content: string): StepData {
  const d = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  return {
    title: typeof d.title === "string" ? d.title : content,
    text: typeof d.text === "string" ? d.text : "",
    imageKey: typeof d.imageKey === "string" ? d.imageKey : null,
    confidence: typeof d.confidence === "number" ? d.confidence : 0,
    position: typeof d.position === "number" && Number.isFinite(d.position) ? d.position : 1e9,
  };
}

/** Puts steps in guide order (position, then time) and numbers them. */
export function orderSteps(steps: Omit<Step, "index">[]): Step[] {
  return [...steps]
    .sort((a, b) => a.position - b.position || a.timestamp - b.timestamp || (a.id < b.id ? -1 : 1))
    .map((s, i) => ({ ...s, index: i + 1 }));
}

/** The steps among a video's annotations, in guide order. */
export function stepsAmong(
  annotations: {
    id: string;
    type: string;
    timestamp: number;
    content: string;
    createdAt: string;
    data?: unknown;
  }[],
): Step[] {
  return orderSteps(
    annotations.filter((a) => a.type === "step").map((a) => ({
      id: a.id,
      timestamp: a.timestamp,
      createdAt: a.createdAt,
      ...toStepData(a.data, a.content),
    })),
  );
}

/** Why a step's `data` is not acceptable, or null (checked on every write to the document). */
export function invalidStepData(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return "a step's data is not an object";
  }
  const d = data as Record<string, unknown>;
  if (typeof d.title !== "string" || d.title.length > MAX_TITLE) {
    return `a step's title is not a string of at most ${MAX_TITLE} characters`;
  }
  if (typeof d.text !== "string" || d.text.length > MAX_TEXT) {
    return `a step's text is not a string of at most ${MAX_TEXT} characters`;
  }
  if (d.imageKey !== null && (typeof d.imageKey !== "string" || d.imageKey.length > 300)) {
    return "a step's imageKey is not a key";
  }
  for (const k of ["confidence", "position"]) {
    if (typeof d[k] !== "number" || !Number.isFinite(d[k])) return `a step's ${k} is not a number`;
  }
  return null;
}
