/**
 * A video's guide: `GET /api/videos/{id}/doc` (JSON), `/doc.md` (Markdown), the stable step image
 * URLs `/steps/{n}.jpg`, running auto-doc again, and the owner's edits to steps.
 */
import type { AppEnv } from "../../lib/auth/middleware.ts";
import { requestGuide } from "../../lib/videos/lifecycle.ts";
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../lib/context.ts";
import { ApiError, isUuid, readJson } from "../../lib/http.ts";
import {
  deleteStep,
  editStep,
  guideMarkdown,
  isStepImageKey,
  listSteps,
  MAX_TEXT,
  MAX_TITLE,
  reorderSteps,
  type Step,
  stepsInDoc,
} from "../../lib/guide.ts";
import { enqueueJob } from "../../lib/jobs/queue.ts";
import { stepImagePath } from "../../lib/step_order.ts";
import { loadVideo, requestOrigin, requireOwner } from "../../lib/auth/guards.ts";

const noNul = (s: string) => !s.includes("\u0000");
const editSchema = z.object({
  title: z.string().trim().min(1, "title is empty").max(MAX_TITLE)
    .refine(noNul, "title holds a NUL character").optional(),
  text: z.string().max(MAX_TEXT).refine(noNul, "text holds a NUL character").optional(),
}).refine((b) => b.title !== undefined || b.text !== undefined, {
  message: "give a title or a text",
});

const orderSchema = z.object({ ids: z.array(z.string()).min(1).max(2000) });

/** A step as the API answers it. */
function stepJson(videoId: string, s: Step, origin: string) {
  return {
    id: s.id,
    index: s.index,
    timestamp: s.timestamp,
    title: s.title,
    text: s.text,
    confidence: s.confidence,
    imageUrl: s.imageKey ? `${origin}${stepImagePath(videoId, s)}` : null,
  };
}

/** The guide routes, mounted under `/api/videos`. */
export function docRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { sql } = app.db;

  async function stepRoom(videoId: string) {
    const room = await app.rooms.open(videoId);
    if (!room) throw new ApiError(404, "not_found", "no such video");
    return room;
  }

  function stepUidParam(raw: string): string {
    if (!isUuid(raw)) throw new ApiError(400, "bad_id", "the step id is not a valid id");
    return raw.toLowerCase();
  }

  routes.get("/:id/doc", async (c) => {
    const { video } = await loadVideo(app, c);
    const origin = requestOrigin(app, c);
    const steps = await listSteps(sql, video.id);
    return c.json({
      status: video.doc_status,
      progress: video.doc_progress,
      error: video.doc_status === "failed" ? video.doc_error : null,
      steps: steps.map((s) => stepJson(video.id, s, origin)),
    });
  });

  routes.get("/:id/doc.md", async (c) => {
    const { video } = await loadVideo(app, c);
    const md = guideMarkdown(video, await listSteps(sql, video.id), requestOrigin(app, c));
    return c.body(md, 200, { "content-type": "text/markdown; charset=utf-8" });
  });

  routes.get("/:id/steps/:file", async (c) => {
    const { video } = await loadVideo(app, c);
    // `{n}.jpg`: the nth step in the guide's current order (the Markdown export's links);
    // `{stepId}.jpg`: that step wherever it moves (the pages' links).
    const name = /^(?:([1-9]\d{0,5})|([0-9a-fA-F-]{36}))\.jpg$/.exec(c.req.param("file"));
    if (!name || (name[2] && !isUuid(name[2]))) {
      throw new ApiError(
        400,
        "bad_step",
        "ask for /steps/{number}.jpg (from 1) or /steps/{stepId}.jpg",
      );
    }
    const pick = (steps: Step[]) =>
      name[1] ? steps[Number(name[1]) - 1] : steps.find((s) => s.id === name[2].toLowerCase());
    // The rows follow the live document a moment behind; a viewer who just saw a step arrive
    // asks for its image at once, so the document answers what the rows do not have yet.
    let step = pick(await listSteps(sql, video.id));
    if (!step || !isStepImageKey(video.id, step.imageKey)) {
      const room = await app.rooms.open(video.id);
      if (room) step = pick(stepsInDoc(room));
    }
    if (!step) throw new ApiError(404, "not_found", "the guide has no such step");
    if (!isStepImageKey(video.id, step.imageKey)) {
      throw new ApiError(404, "not_found", `step ${step.index} has no screenshot`);
    }
    const url = await app.playback.url(step.imageKey, requestOrigin(app, c));
    // The signed URL expires: never let a cache keep this answer.
    c.header("cache-control", "no-store");
    return c.redirect(url, 302);
  });

  routes.post("/:id/doc", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
    if (video.status !== "ready" && video.status !== "failed") {
      throw new ApiError(409, "not_ready", "the recording is not processed yet");
    }
    await sql.begin(async (tx) => {
      // The video's row, locked: two requests at once queue one job, not two.
      await tx`SELECT id FROM videos WHERE id = ${video.id} FOR UPDATE`;
      const [queued] = await tx`SELECT id FROM jobs WHERE video_id = ${video.id}
        AND kind = 'autodoc' AND status IN ('queued', 'running')`;
      if (queued) return;
      if (await requestGuide(tx, video.id)) await enqueueJob(tx, "autodoc", video.id);
    });
    return c.json({ status: "pending" }, 202);
  });

  routes.patch("/:id/steps/:uid", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
    const uid = stepUidParam(c.req.param("uid"));
    const body = await readJson(c, editSchema);
    const room = await stepRoom(video.id);
    if (!(await editStep(room, uid, body))) throw new ApiError(404, "not_found", "no such step");
    const origin = requestOrigin(app, c);
    const step = (await listSteps(sql, video.id)).find((s) => s.id === uid);
    return c.json(step ? stepJson(video.id, step, origin) : null);
  });

  routes.delete("/:id/steps/:uid", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
    const uid = stepUidParam(c.req.param("uid"));
    const removed = await deleteStep(await stepRoom(video.id), uid);
    if (removed === false) throw new ApiError(404, "not_found", "no such step");
    if (isStepImageKey(video.id, removed)) await app.storage.delete(removed).catch(() => {});
    return c.body(null, 204);
  });

  routes.put("/:id/steps", async (c) => {
    const { video, user } = await loadVideo(app, c);
    requireOwner(c, video, user);
    const body = await readJson(c, orderSchema);
    const problem = await reorderSteps(await stepRoom(video.id), body.ids.map(stepUidParam));
    if (problem) throw new ApiError(400, "invalid", problem);
    const origin = requestOrigin(app, c);
    return c.json((await listSteps(sql, video.id)).map((s) => stepJson(video.id, s, origin)));
  });

  return routes;
}
