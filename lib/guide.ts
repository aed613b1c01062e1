/**
 * A video's guide: its `step` annotations in order. Steps are written through the video's live
 * document (so viewers see them arrive and edits reach every player) and read from the rows that
 * follow it. Also the guide's Markdown.
 */
import { createHash } from "node:crypto";
import type { Sql } from "./db/mod.ts";
import type { AnnotationEntry } from "./collab/entry.ts";
import { FROM_SERVER, type Room } from "./collab/room.ts";
import { formatTime, momentUrl } from "./format.ts";
import {
  MAX_TEXT,
  MAX_TITLE,
  orderSteps,
  type Step,
  type StepData,
  toStepData,
} from "./step_order.ts";

export { MAX_TEXT, MAX_TITLE };
export type { Step, StepData };

/** A step as auto-doc makes it. */
export interface NewStep {
  timestamp: number;
  title: string;
  text: string;
  imageKey: string | null;
  confidence: number;
}

/**
 * The uid of a video's `n`th generated step: the same on every run, so a run that is repeated (a
 * worker died, the owner asked again) rewrites the same entries instead of adding new ones.
 */
export function stepUid(videoId: string, n: number): string {
  const h = createHash("sha256").update(`${videoId}:step:${n}`).digest("hex");
  // Shaped as a version-8 (custom) UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${
    h.slice(20, 32)
  }`;
}

/** Where a step's screenshot is stored. */
export function stepImageKey(videoId: string, uid: string): string {
  return `videos/${videoId}/steps/${uid}.jpg`;
}

/**
 * Whether `key` may be served as a screenshot of this video: a step's data comes through the
 * shared document, so a key pointing anywhere else (another video's file) is never signed.
 */
export function isStepImageKey(videoId: string, key: unknown): key is string {
  return typeof key === "string" &&
    new RegExp(`^videos/${videoId}/steps/[0-9a-f-]{36}\\.jpg$`).test(key);
}

/** A video's steps in guide order. */
export async function listSteps(sql: Sql, videoId: string): Promise<Step[]> {
  const rows = await sql`
    SELECT uid, timestamp, content, data, created_at FROM annotations
    WHERE video_id = ${videoId} AND type = 'step'`;
  return orderSteps(rows.map((r) => ({
    id: r.uid,
    timestamp: r.timestamp,
    createdAt: r.created_at.toISOString(),
    ...toStepData(r.data, r.content ?? ""),
  })));
}

/** The steps of a live document, in guide order (what the player shows). */
export function stepsInDoc(room: Room): Step[] {
  const found: Omit<Step, "index">[] = [];
  for (const [uid, value] of room.annotations.entries()) {
    const e = value as AnnotationEntry | undefined;
    if (e?.type !== "step") continue;
    found.push({
      id: uid,
      timestamp: e.timestamp,
      createdAt: e.createdAt,
      ...toStepData(e.data, e.content),
    });
  }
  return orderSteps(found);
}

function entryOf(
  id: string,
  timestamp: number,
  data: StepData,
  createdAt: string,
): AnnotationEntry {
  return {
    id,
    timestamp,
    content: data.title,
    type: "step",
    author: "Auto-doc",
    createdAt,
    data: { ...data },
  };
}

/**
 * Replaces a video's steps with `steps`, in one document transaction: viewers see the old guide or
 * the new one, never a mix, and a repeated run leaves exactly one copy. Returns the image keys of
 * replaced steps that the new ones no longer use.
 */
export async function replaceSteps(room: Room, steps: NewStep[]): Promise<string[]> {
  const old = stepsInDoc(room);
  const now = new Date().toISOString();
  const keep = new Set<string>();
  room.doc.transact(() => {
    for (const s of old) room.annotations.delete(s.id);
    steps.forEach((s, i) => {
      const id = stepUid(room.videoId, i + 1);
      if (s.imageKey) keep.add(s.imageKey);
      room.annotations.set(
        id,
        entryOf(id, s.timestamp, {
          title: s.title.slice(0, MAX_TITLE),
          text: s.text.slice(0, MAX_TEXT),
          imageKey: s.imageKey,
          confidence: s.confidence,
          position: i + 1,
        }, now),
      );
    });
  }, FROM_SERVER);
  await room.flush();
  return old.map((s) => s.imageKey)
    .filter((k): k is string => isStepImageKey(room.videoId, k) && !keep.has(k));
}

/** Changes a step's title or text; false when there is no such step. */
export async function editStep(
  room: Room,
  uid: string,
  change: { title?: string; text?: string },
): Promise<boolean> {
  const e = room.annotations.get(uid) as AnnotationEntry | undefined;
  if (e?.type !== "step") return false;
  const data = toStepData(e.data, e.content);
  if (change.title !== undefined) data.title = change.title;
  if (change.text !== undefined) data.text = change.text;
  room.doc.transact(
    () => room.annotations.set(uid, entryOf(uid, e.timestamp, data, e.createdAt)),
    FROM_SERVER,
  );
  await room.flush();
  return true;
}

/** Deletes a step; returns its image key (for the caller to delete), or false when none. */
export async function deleteStep(room: Room, uid: string): Promise<string | null | false> {
  const e = room.annotations.get(uid) as AnnotationEntry | undefined;
  if (e?.type !== "step") return false;
  room.doc.transact(() => room.annotations.delete(uid), FROM_SERVER);
  await room.flush();
  return toStepData(e.data, e.content).imageKey;
}

/**
 * Puts the steps in the order of `uids` (every step exactly once). Returns an error message, or
 * null when done.
 */
export async function reorderSteps(room: Room, uids: string[]): Promise<string | null> {
  const steps = stepsInDoc(room);
  const known = new Set(steps.map((s) => s.id));
  if (uids.length !== known.size || new Set(uids).size !== uids.length) {
    return `give every step exactly once (${known.size} steps)`;
  }
  if (uids.some((u) => !known.has(u))) return "an id is not a step of this video";
  room.doc.transact(() => {
    uids.forEach((uid, i) => {
      const e = room.annotations.get(uid) as AnnotationEntry;
      const data = { ...toStepData(e.data, e.content), position: i + 1 };
      room.annotations.set(uid, entryOf(uid, e.timestamp, data, e.createdAt));
    });
  }, FROM_SERVER);
  await room.flush();
  return null;
}

/** Markdown inline text: characters that would start markup are escaped, lines kept. */
function mdText(s: string): string {
  return s.replace(/([\\`*_{}\[\]<>()#+!|~])/g, "\\$1").replace(/^(\s*)([-=]|\d+\.)/gm, "$1\\$2");
}

/**
 * The guide as Markdown: a heading, then per step its number and title, a link to the moment in
 * the player, the screenshot through the app's stable step-image URL, and the text.
 */
export function guideMarkdown(
  video: { id: string; title: string | null },
  steps: Step[],
  origin: string,
): string {
  const title = video.title?.trim() || "Untitled recording";
  const out = [`# ${mdText(title)}`, "", `[Watch the recording](${origin}/v/${video.id})`, ""];
  if (steps.length === 0) out.push("_No steps yet._", "");
  for (const s of steps) {
    out.push(`## ${s.index}. ${mdText(s.title || `Step ${s.index}`)}`, "");
    out.push(`[${formatTime(s.timestamp)}](${origin}${momentUrl(video.id, s.timestamp)})`, "");
    if (s.imageKey) {
      out.push(`![Step ${s.index}](${origin}/api/videos/${video.id}/steps/${s.index}.jpg)`, "");
    }
    if (s.text.trim()) out.push(mdText(s.text.trim()).split("\n").join("  \n"), "");
  }
  return out.join("\n");
}
