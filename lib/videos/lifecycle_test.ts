import assert from "node:assert/strict";
import postgres from "postgres";
import { withMigratedDatabase } from "../../test_support/db.ts";
import {
  dropRendition,
  markCancelled,
  markDeleting,
  markEmpty,
  markFailed,
  markGuideDone,
  markGuideFailed,
  markGuideRunning,
  markProcessing,
  markReady,
  markRenditionDone,
  markRenditionFailed,
  requestGuide,
  startRendition,
  touchActivity,
} from "./lifecycle.ts";

function withDb(fn: (sql: postgres.Sql) => Promise<void>) {
  return withMigratedDatabase(fn, 2);
}

async function recording(sql: postgres.Sql): Promise<string> {
  const id = crypto.randomUUID();
  await sql`INSERT INTO videos (id, s3_key, status, mime_type, upload_id)
    VALUES (${id}, ${`videos/${id}/original.webm`}, 'recording', 'video/webm', 'u')`;
  return id;
}

async function row(sql: postgres.Sql, id: string) {
  const [r] = await sql`SELECT status, doc_status, doc_progress, doc_error, rendition_status,
    rendition_key, error, size_bytes, upload_closed FROM videos WHERE id = ${id}`;
  return r;
}

const done = { sizeBytes: 1000, clientDurationMs: 5000, recovered: false };
const processed = {
  duration: 5,
  processedKey: "k.webm",
  processedType: "video/webm",
  processedBytes: 900,
  thumbnailKey: "t.jpg",
  rendition: true,
};

Deno.test("a recording goes recording → processing → ready once, each step from its own state only", () =>
  withDb(async (sql) => {
    const id = await recording(sql);
    assert.equal(await markReady(sql, id, processed), false, "not before processing");
    assert.equal(await markProcessing(sql, id, done), true);
    assert.equal(await markProcessing(sql, id, done), false, "a reaper racing the finish loses");
    assert.deepEqual({ ...(await row(sql, id)) }, {
      status: "processing",
      doc_status: null,
      doc_progress: null,
      doc_error: null,
      rendition_status: null,
      rendition_key: null,
      error: null,
      size_bytes: "1000",
      upload_closed: true,
    });
    assert.equal(await markCancelled(sql, id), null, "a finished recording is not cancelled");
    assert.equal(await markReady(sql, id, processed), true);
    assert.equal(await markReady(sql, id, processed), false);
    assert.equal(await markFailed(sql, id, "late"), false, "a ready video does not fail");
    const r = await row(sql, id);
    assert.deepEqual([r.status, r.doc_status, r.rendition_status], ["ready", "pending", "pending"]);
  }));

Deno.test("processing fails for good with the guide and without a rendition; an empty one fails at once", () =>
  withDb(async (sql) => {
    const id = await recording(sql);
    await markProcessing(sql, id, done);
    assert.equal(await markFailed(sql, id, "no video stream"), true);
    const r = await row(sql, id);
    assert.deepEqual([r.status, r.error, r.doc_status, r.doc_error, r.rendition_status], [
      "failed",
      "no video stream",
      "failed",
      "no video stream",
      null,
    ]);
    const empty = await recording(sql);
    assert.equal(await markEmpty(sql, empty), true);
    assert.equal((await row(sql, empty)).error, "the recording holds no data");
    assert.equal(await markEmpty(sql, empty), false);
  }));

Deno.test("cancel, delete and the reaper's claim are guarded too", () =>
  withDb(async (sql) => {
    const id = await recording(sql);
    assert.deepEqual(await markCancelled(sql, id), {
      s3_key: `videos/${id}/original.webm`,
      upload_id: "u",
    });
    assert.equal((await row(sql, id)).status, "cancelled");
    assert.equal(await markProcessing(sql, id, done), false, "a cancelled recording stays so");
    assert.equal(await markDeleting(sql, id), true);
    assert.equal(await markDeleting(sql, id), false);

    const idle = await recording(sql);
    await sql`UPDATE videos SET last_activity_at = NOW() - interval '1 hour' WHERE id = ${idle}`;
    assert.deepEqual(await touchActivity(sql, [idle], 600), [idle], "claimed once…");
    assert.deepEqual(await touchActivity(sql, [idle], 600), [], "…and not twice");
  }));

Deno.test("the guide: progress only while it is being written; a request only once processed", () =>
  withDb(async (sql) => {
    const id = await recording(sql);
    assert.equal(await requestGuide(sql, id), false, "nothing to read while recording");
    await markProcessing(sql, id, done);
    await markReady(sql, id, processed);
    await markGuideRunning(sql, id, 42.7);
    assert.deepEqual([(await row(sql, id)).doc_status, (await row(sql, id)).doc_progress], [
      "running",
      42,
    ]);
    await markGuideFailed(sql, id, "OCR broke");
    await markGuideRunning(sql, id, 50);
    assert.equal((await row(sql, id)).doc_status, "failed", "a late progress write undoes nothing");
    assert.equal(await requestGuide(sql, id), true);
    assert.deepEqual([(await row(sql, id)).doc_status, (await row(sql, id)).doc_error], [
      "pending",
      null,
    ]);
    await markGuideDone(sql, id);
    assert.equal((await row(sql, id)).doc_status, "done");
  }));

Deno.test("the rendition: started only when wanted, done even after a retaken job finished, dropped when off", () =>
  withDb(async (sql) => {
    const id = await recording(sql);
    assert.equal(await startRendition(sql, id), null, "not before the video is ready");
    await markProcessing(sql, id, done);
    await markReady(sql, id, processed);
    assert.deepEqual(await startRendition(sql, id), { id, processed_key: "k.webm", duration: 5 });
    const file = { key: "r.mp4", type: "video/mp4", bytes: 10 };
    assert.equal(await markRenditionDone(sql, id, file), true);
    assert.equal(await markRenditionDone(sql, id, file), true, "the slower of two runs");
    assert.equal(await startRendition(sql, id), null, "done is done");
    await markRenditionFailed(sql, id, "late");
    assert.equal((await row(sql, id)).rendition_status, "done");

    const other = await recording(sql);
    await markProcessing(sql, other, done);
    await markReady(sql, other, processed);
    await dropRendition(sql, other);
    assert.equal((await row(sql, other)).rendition_status, null);
    assert.equal(await startRendition(sql, other), null);
  }));
