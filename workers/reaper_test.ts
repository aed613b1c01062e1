import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks } from "../lib/ingest/client.ts";
import { reap } from "./reaper.ts";
import type { Storage } from "../lib/storage/s3.ts";
import { startTestServer } from "../test_support/server.ts";
import { seededRandom, sha256, splitEvenly } from "../test_support/media.ts";
import { getVideoJson, originalKey, readObject, waitFor } from "../test_support/helpers.ts";

const MiB = 1024 * 1024;

function randomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const random = seededRandom(seed);
  return new Uint8Array(n).map(() => (random() * 256) | 0);
}

Deno.test("an abandoned recording is completed from its durable parts and marked recovered", async () => {
  await using server = await startTestServer({ RECORDING_RESUME_WINDOW_S: "1" }, { jobs: false });
  const { sql } = server.services.db;
  const bytes = randomBytes(7 * MiB, 1);
  const chunks = splitEvenly(bytes, 14);
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  await sendChunks(client, chunks);
  await waitFor(async () => (await client.chunk(0, chunks[0])).durableSeq !== -1);
  client.ws.close(4000, "tab closed");
  await client.closed;
  // The process that held the open part is gone: only the uploaded part is left.
  await server.services.ingest.drop(rec.id);

  assert.deepEqual(await reap(sql, server.services.storage, 1), {
    recovered: [],
    aborted: [],
    retry: [],
  });
  await sql`UPDATE videos SET last_activity_at = NOW() - INTERVAL '10 minutes' WHERE id = ${rec.id}`;
  const result = await reap(sql, server.services.storage, 1);
  assert.deepEqual(result.recovered, [rec.id]);
  assert.deepEqual((await reap(sql, server.services.storage, 1)).recovered, [], "only once");

  const video = await getVideoJson(server.url, rec.id);
  assert.equal(video.status, "processing");
  assert.equal(video.recovered, true);
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes.subarray(0, 5 * MiB)), "the durable part is kept");
  const [job] = await sql`SELECT kind FROM jobs WHERE video_id = ${rec.id}`;
  assert.equal(job.kind, "remux");
});

Deno.test("a recording idle for the resume window in a live process keeps its open part too", async () => {
  await using server = await startTestServer({ RECORDING_RESUME_WINDOW_S: "1" }, { jobs: false });
  const bytes = randomBytes(3 * MiB + 17, 2);
  const chunks = splitEvenly(bytes, 5);
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  await sendChunks(client, chunks);
  client.ws.close(4000, "tab closed");
  await client.closed;
  await server.services.ingest.sweep(Date.now() + 2000);
  const video = await getVideoJson(server.url, rec.id);
  assert.equal(video.status, "processing");
  assert.equal(video.recovered, true);
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes));
});

/** Every AbortMultipartUpload `storage` sends: its key, its upload id and S3's HTTP answer. */
function observeAborts(storage: Storage): { key: string; uploadId: string; status: number }[] {
  const calls: { key: string; uploadId: string; status: number }[] = [];
  storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "AbortMultipartUploadCommand") return await next(args);
      const input = args.input as { Key: string; UploadId: string };
      const call = { key: input.Key, uploadId: input.UploadId, status: 0 };
      calls.push(call);
      try {
        const out = await next(args);
        call.status = (out.response as { statusCode?: number }).statusCode ?? 0;
        return out;
      } catch (err) {
        call.status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode ?? -1;
        throw err;
      }
    },
    { step: "deserialize", name: "observeAborts" },
  );
  return calls;
}

Deno.test("the uploads of cancelled recordings are aborted by the reaper", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const { sql } = server.services.db;
  const { storage } = server.services;
  const aborts = observeAborts(storage);
  // A recording with one durable part in its multipart upload, then cancelled by a process that
  // died before it could abort the upload itself.
  const bytes = randomBytes(6 * MiB, 3);
  const chunks = splitEvenly(bytes, 6);
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  await sendChunks(client, chunks);
  await waitFor(async () => (await client.chunk(0, chunks[0])).durableSeq !== -1);
  client.ws.close(4000, "tab closed");
  await client.closed;
  await server.services.ingest.drop(rec.id);
  const [before] = await sql`SELECT s3_key, upload_id FROM videos WHERE id = ${rec.id}`;
  assert.ok(before.upload_id, "the recording has a multipart upload");
  const [{ parts }] = await sql`SELECT count(*)::int AS parts FROM video_parts
    WHERE video_id = ${rec.id}`;
  assert.ok(parts >= 1, "with a durable part");
  await sql`UPDATE videos SET status = 'cancelled' WHERE id = ${rec.id}`;
  assert.equal(aborts.length, 0, "nothing aborted it before the reaper");

  const result = await reap(sql, storage, 3600);
  assert.deepEqual(result.aborted, [rec.id]);
  // The reaper asked S3 to abort exactly this upload, and S3 answered. What cannot be checked
  // here is the effect: the embedded S3 (@20minutes/s3rver, the only S3 in test_support, also
  // behind startSharedS3 and bench/s3_server.ts) does not implement AbortMultipartUpload and
  // answers 405, so the upload's parts stay on its disk whatever the reaper does.
  assert.deepEqual(aborts.map((a) => [a.key, a.uploadId]), [[before.s3_key, before.upload_id]]);
  assert.ok([204, 405, 501].includes(aborts[0].status), `S3 answered ${aborts[0].status}`);
  const [row] = await sql`SELECT status, upload_closed FROM videos WHERE id = ${rec.id}`;
  assert.deepEqual([row.status, row.upload_closed], ["cancelled", true]);
  const [{ left }] = await sql`SELECT count(*)::int AS left FROM video_parts
    WHERE video_id = ${rec.id}`;
  assert.equal(left, 0, "the parts' records are gone");
  assert.equal(await storage.size(before.s3_key), null, "no object was made of the parts");

  assert.deepEqual((await reap(sql, storage, 3600)).aborted, [], "only once");
  assert.equal(aborts.length, 1, "no second abort");
});

Deno.test("an abort that fails on the network is tried again on the next pass", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const { sql } = server.services.db;
  const { storage } = server.services;
  const rec = await createRecording(server.url, undefined, server);
  await sql`UPDATE videos SET status = 'cancelled' WHERE id = ${rec.id}`;
  // S3 unreachable for abort requests, as a network outage would leave it.
  storage.client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "AbortMultipartUploadCommand") {
        return Promise.reject(new Error("connect ECONNREFUSED"));
      }
      return next(args);
    },
    { step: "finalizeRequest", name: "unreachable" },
  );
  const first = await reap(sql, storage, 3600);
  assert.deepEqual([first.aborted, first.retry], [[], [rec.id]]);
  const [kept] = await sql`SELECT upload_closed FROM videos WHERE id = ${rec.id}`;
  assert.equal(kept.upload_closed, false, "left open for the next pass");

  storage.client.middlewareStack.remove("unreachable");
  const second = await reap(sql, storage, 3600);
  assert.deepEqual([second.aborted, second.retry], [[rec.id], []]);
  const [closed] = await sql`SELECT upload_closed FROM videos WHERE id = ${rec.id}`;
  assert.equal(closed.upload_closed, true);
});
