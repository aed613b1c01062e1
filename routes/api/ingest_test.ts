import assert from "node:assert/strict";
import { join } from "node:path";
import { createRecording, IngestClient, sendChunks } from "../../lib/ingest/client.ts";
import type { Storage } from "../../lib/storage/s3.ts";
import { startTestServer } from "../../test_support/server.ts";
import {
  makeWebm,
  probeDurationOf,
  seededRandom,
  sha256,
  splitBySizes,
  splitEvenly,
} from "../../test_support/media.ts";
import { originalKey, readObject, waitFor, waitForStatus } from "../../test_support/helpers.ts";

const MiB = 1024 * 1024;

/** Records the size of every UploadPart call the server's S3 client makes. */
function observeUploadParts(storage: Storage): { partNumber: number; length: number }[] {
  const calls: { partNumber: number; length: number }[] = [];
  storage.client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === "UploadPartCommand") {
        const input = args.input as { PartNumber: number; ContentLength: number };
        calls.push({ partNumber: input.PartNumber, length: input.ContentLength });
      }
      return next(args);
    },
    { step: "initialize", name: "observeUploadParts" },
  );
  return calls;
}

Deno.test("a real WebM streamed in 3-second chunks is stored byte for byte and remuxed with its duration", async () => {
  await using server = await startTestServer();
  const path = await makeWebm(24, 5000);
  const bytes = await Deno.readFile(path);
  assert.ok(bytes.length > 12 * MiB, "the recording spans several parts");
  const chunks = splitEvenly(bytes, 24 / 3);

  const rec = await createRecording(server.url, {
    title: "demo",
    mimeType: "video/webm;codecs=vp8,opus",
  }, server);
  assert.match(rec.ingestUrl, /^ws:\/\/.+\/api\/videos\/[0-9a-f-]{36}\/ingest$/);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  assert.deepEqual(client.ready, { nextSeq: 0, durableSeq: -1 });
  await sendChunks(client, chunks);
  const done = await client.finish(chunks.length - 1, 24_000);
  assert.deepEqual(done, { type: "done", id: rec.id });
  assert.equal((await client.closed).code, 1000);

  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes));

  const ready = await waitForStatus(server.url, rec.id, "ready");
  assert.equal(ready.sizeBytes, bytes.length);
  assert.ok(Math.abs((ready.duration as number) - 24) <= 0.5, `duration ${ready.duration}`);
  // The remuxed file, fetched through its playback URL, has a real duration and cues.
  const res = await fetch(ready.playbackUrl as string);
  assert.equal(res.status, 200);
  const remuxed = join(server.dataDir, "remuxed.webm");
  await Deno.writeFile(remuxed, new Uint8Array(await res.arrayBuffer()));
  assert.ok(Math.abs((await probeDurationOf(remuxed)) - 24) <= 0.5);
  const thumb = await fetch(ready.thumbnailUrl as string);
  assert.equal(thumb.headers.get("content-type"), "image/jpeg");
  assert.ok((await thumb.arrayBuffer()).byteLength > 1000);
});

Deno.test("chunks of irregular sizes are cut into parts of exactly INGEST_PART_BYTES", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const calls = observeUploadParts(server.services.storage);
  const random = seededRandom(42);
  const bytes = new Uint8Array(23 * MiB + 12345).map(() => (random() * 256) | 0);
  // Sizes as MediaRecorder makes them: mostly a few hundred KiB, now and then a burst of MiBs.
  const sizes: number[] = [];
  for (let total = 0; total < bytes.length;) {
    const size = random() < 0.15 ? Math.floor(random() * 7 * MiB) : Math.floor(random() * 600_000);
    sizes.push(size);
    total += size;
  }
  const chunks = splitBySizes(bytes, sizes);
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  await sendChunks(client, chunks, 0, 3);
  assert.equal((await client.finish(chunks.length - 1)).type, "done");

  const partBytes = server.config.ingestPartBytes;
  assert.equal(calls.length, Math.ceil(bytes.length / partBytes));
  for (const call of calls.slice(0, -1)) assert.equal(call.length, partBytes);
  assert.equal(calls.at(-1)!.length, bytes.length % partBytes);
  assert.deepEqual(calls.map((c) => c.partNumber), calls.map((_, i) => i + 1));
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes));
});

Deno.test("a dropped socket resumes at nextSeq and duplicates are acknowledged and ignored", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const random = seededRandom(7);
  const bytes = new Uint8Array(14 * MiB).map(() => (random() * 256) | 0);
  const chunks = splitEvenly(bytes, 30);
  const rec = await createRecording(server.url, undefined, server);

  let client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  await sendChunks(client, chunks.slice(0, 17));
  // Acks report durability as it is when they are sent; a duplicate asks again.
  await waitFor(async () => (await client.chunk(0, chunks[0])).durableSeq !== -1);
  const durableBeforeDrop = client.durableSeq;
  assert.ok(durableBeforeDrop >= 0 && durableBeforeDrop < 16, `durableSeq ${durableBeforeDrop}`);
  // The network drops: the socket dies without a goodbye.
  client.ws.close(4000, "network gone");
  await client.closed;

  client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  assert.equal(client.ready.nextSeq, 17, "the server kept what it had received");
  // A recorder resending everything above durableSeq: all duplicates are acknowledged.
  for (let seq = client.ready.durableSeq + 1; seq < 17; seq++) {
    const ack = await client.chunk(seq, chunks[seq]);
    assert.equal(ack.type, "ack");
    assert.equal(ack.seq, seq);
  }
  // A duplicate with different bytes changes nothing either.
  assert.equal((await client.chunk(3, new Uint8Array(10))).type, "ack");
  await sendChunks(client, chunks, 17);
  assert.equal((await client.finish(chunks.length - 1)).type, "done");
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes));
});

Deno.test("the HTTP fallback takes chunks with PUT and finishes with POST", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const random = seededRandom(3);
  const bytes = new Uint8Array(6 * MiB).map(() => (random() * 256) | 0);
  const chunks = splitEvenly(bytes, 4);
  const rec = await createRecording(server.url, undefined, server);
  const auth = { authorization: `Bearer ${rec.uploadToken}` };
  const put = (seq: number, body: Uint8Array<ArrayBuffer>) =>
    fetch(`${server.url}/api/videos/${rec.id}/chunks/${seq}`, {
      method: "PUT",
      headers: auth,
      body,
    });

  let res = await put(0, chunks[0]);
  assert.deepEqual(await res.json(), { type: "ack", seq: 0, durableSeq: -1 });
  res = await put(2, chunks[2]);
  assert.equal(res.status, 409);
  assert.deepEqual(await res.json(), {
    type: "error",
    code: "gap",
    message: "expected chunk 1",
    expected: 1,
  });
  for (let seq = 1; seq < chunks.length; seq++) {
    res = await put(seq, chunks[seq]);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).type, "ack");
  }
  res = await put(1, chunks[1]);
  assert.equal((await res.json()).type, "ack", "a duplicate PUT is acknowledged");

  const finish = () =>
    fetch(`${server.url}/api/videos/${rec.id}/finish`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ lastSeq: 3, durationMs: 12000 }),
    });
  res = await finish();
  assert.deepEqual(await res.json(), { type: "done", id: rec.id });
  res = await finish();
  assert.equal(res.status, 409);
  assert.equal((await res.json()).code, "finished");
  res = await put(4, new Uint8Array(10));
  assert.equal(res.status, 409, "a chunk after finish is refused");
  await res.body?.cancel();
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  assert.equal(sha256(stored), sha256(bytes));
});

Deno.test("cancel aborts the recording and refuses further chunks", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  assert.equal((await client.chunk(0, new Uint8Array(1000))).type, "ack");
  assert.deepEqual(await client.request(JSON.stringify({ type: "cancel" })), {
    type: "cancelled",
    id: rec.id,
  });
  assert.equal((await client.closed).code, 1000);
  const [row] = await server.services.db.sql`SELECT status FROM videos WHERE id = ${rec.id}`;
  assert.equal(row.status, "cancelled");
  const again = await IngestClient.open(rec.ingestUrl);
  const answer = await again.request(JSON.stringify({ type: "hello", token: rec.uploadToken }));
  assert.equal(answer.code, "finished");
  assert.equal((await again.closed).code, 4409);
  assert.equal((await fetch(`${server.url}/api/videos/${rec.id}`)).status, 404);
});
