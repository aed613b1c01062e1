/** The shape of an annotation in a video's Yjs document, and its validation. */
import { isUuid } from "../http.ts";
import { invalidStepData } from "../step_order.ts";

/** An annotation as the document holds it (`doc.getMap("annotations")`: uid → entry). */
export interface AnnotationEntry {
  id: string;
  timestamp: number;
  content: string;
  type: string;
  author: string | null;
  createdAt: string;
  data?: unknown;
}

/** Types an annotation may have. */
export const ANNOTATION_TYPES = ["comment", "step"] as const;
/** Largest content, in characters. */
export const MAX_CONTENT = 5000;
/** Largest `data`, in characters of JSON (a step's title and text fit well within). */
const MAX_DATA = 10_000;

/**
 * Checks an entry stored under `key`; returns the reason it is invalid, or null. `duration` (when
 * known) bounds the timestamp, with a second of slack.
 */
export function invalidEntry(key: string, value: unknown, duration: number | null): string | null {
  if (!isUuid(key)) return "the key is not a uuid";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const e = value as Record<string, unknown>;
  if (e.id !== key) return "id differs from its key";
  if (typeof e.timestamp !== "number" || !Number.isFinite(e.timestamp) || e.timestamp < 0) {
    return "timestamp is not a number of seconds";
  }
  if (duration !== null && e.timestamp > duration + 1) return "timestamp is past the end";
  if (typeof e.content !== "string" || e.content.length > MAX_CONTENT) {
    return `content is not a string of at most ${MAX_CONTENT} characters`;
  }
  if (!(ANNOTATION_TYPES as readonly unknown[]).includes(e.type)) return "unknown type";
  if (
    e.author !== null && e.author !== undefined &&
    (typeof e.author !== "string" || e.author.length > 80)
  ) {
    return "author is not a name";
  }
  if (typeof e.createdAt !== "string" || Number.isNaN(Date.parse(e.createdAt))) {
    return "createdAt is not a date";
  }
  // Data stays small: it is copied to every viewer and into the rows.
  if (e.data && JSON.stringify(e.data).length > MAX_DATA) return "data is too large";
  // PostgreSQL stores no NUL character in text: one would stop the rows from following.
  if (JSON.stringify(value).includes("\\u0000")) return "a text holds a NUL character";
  if (e.type === "step") return invalidStepData(e.data);
  if (e.data !== undefined && e.data !== null && typeof e.data !== "object") {
    return "data is not an object";
  }
  return null;
}
