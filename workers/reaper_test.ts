import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks } from "../lib/ingest/client.ts";
import { reap } from "./reaper.ts";
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

  assert.deepEqual(await reap(sql, server.services.storage, 1), { recovered: [], aborted: [] });
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

Deno.test("the uploads of cancelled recordings are aborted by the reaper", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const { sql } = server.services.db;
  const rec = await createRecording(server.url, undefined, server);
  await sql`UPDATE videos SET status = 'cancelled' WHERE id = ${rec.id}`;
  const result = await reap(sql, server.services.storage, 3600);
  assert.deepEqual(result.aborted, [rec.id]);
  const [row] = await sql`SELECT upload_closed FROM videos WHERE id = ${rec.id}`;
  assert.equal(row.upload_closed, true);
  assert.deepEqual((await reap(sql, server.services.storage, 3600)).aborted, []);
});
