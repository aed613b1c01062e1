/**
 * The rules every change to a video's live document passes, in one place. The room asks them about
 * each entry a client changed; a change a rule refuses is undone by the server for every viewer
 * and never reaches the rows. Changes by the server itself (the log, auto-doc, the API) are not
 * asked about.
 *
 * @example
 * ```ts
 * const verdict = reviewChange({ key, before, after }, { duration: 120, peer });
 * if (verdict) undo(key, before); // verdict names the rule
 * ```
 */
import { invalidEntry } from "./entry.ts";

/** One entry a client changed: its value before and after (`undefined`: absent). */
export interface EntryChange {
  key: string;
  before: unknown;
  after: unknown;
}

/** What a rule knows besides the change: the video, and who sent it. */
export interface ChangeContext {
  /** The video's duration in seconds, when known. */
  duration: number | null;
  /** The connection the change came from (the room's peer). */
  peer: unknown;
}

/** A rule: null when it allows the change, else why it refuses it. */
export type EntryRule = (change: EntryChange, ctx: ChangeContext) => string | null;

function isStep(value: unknown): boolean {
  return typeof value === "object" && value !== null &&
    (value as { type?: unknown }).type === "step";
}

/** An entry that breaks the shape of the document (`lib/collab/entry.ts`) is refused. */
export const wellFormed: EntryRule = (change, ctx) =>
  change.after === undefined ? null : invalidEntry(change.key, change.after, ctx.duration);

/** Guide steps change only through the server (auto-doc and the owner's API). */
export const stepsFromServerOnly: EntryRule = (change) =>
  isStep(change.before) || isStep(change.after)
    ? "guide steps change only through the server"
    : null;

/** The rules, in the order they are asked. */
export const ENTRY_RULES: readonly EntryRule[] = [stepsFromServerOnly, wellFormed];

/** The first rule that refuses `change`, or null when every rule allows it. */
export function reviewChange(
  change: EntryChange,
  ctx: ChangeContext,
  rules: readonly EntryRule[] = ENTRY_RULES,
): string | null {
  for (const rule of rules) {
    const refusal = rule(change, ctx);
    if (refusal !== null) return refusal;
  }
  return null;
}
