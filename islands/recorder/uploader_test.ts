import assert from "node:assert/strict";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, sha256, splitEvenly } from "../../test_support/media.ts";
import { originalKey, readObject } from "../../test_support/helpers.ts";
import { MemoryStore, newStoredRecording } from "../../test_support/upload_store.ts";
import { type Transport, Uploader, type UploadState } from "./uploader.ts";

async function upload(transport: Transport | undefined) {
  await using server = await startTestServer();
  const bytes = await Deno.readFile(await makeWebm(24, 5000));
  const chunks = splitEvenly(bytes, 8);
  const rec = await newStoredRecording(server, 24_000);
  const store = new MemoryStore();
  const states: UploadState[] = [];
  const up = new Uploader(rec, store, (s) => states.push(s), transport);
  up.start();
  for (const [seq, chunk] of chunks.entries()) {
    await up.add(seq, new Blob([chunk]));
    // A recorder's chunks come every few seconds, not all at once: the parts have time to land.
    await new Promise((r) => setTimeout(r, 200));
  }
  await up.finish(chunks.length - 1, 24_000);
  up.stop();
  // "done": the upload is complete, the object whole.
  const stored = await readObject(server.services.storage, originalKey(rec.id));
  return { bytes, stored, store, states, chunks };
}

Deno.test("the browser's uploader streams a recording over the socket, byte for byte", async () => {
  const { bytes, stored, store, states, chunks } = await upload(undefined);
  assert.equal(sha256(stored), sha256(bytes));
  assert.ok(store.deleted, "the finished recording leaves this browser's storage");
  // 15 MB in 5-MiB parts: the first parts' chunks were dropped once durable, before the end.
  assert.ok(
    store.dropped >= 0 && store.dropped < chunks.length - 1,
    `dropped up to ${store.dropped}`,
  );
  assert.equal(states.at(-1)?.connection, "done");
  assert.ok(states.some((s) => s.connection === "connected"));
});

Deno.test("where no socket opens, the uploader falls back to HTTP and loses nothing", async () => {
  const refusing: Transport = {
    openSocket: () => {
      throw new DOMException("refused", "SecurityError");
    },
    fetch: (input, init) => fetch(input, init),
  };
  const { bytes, stored, states } = await upload(refusing);
  assert.equal(sha256(stored), sha256(bytes));
  assert.ok(states.some((s) => s.connection === "http"));
  assert.ok(!states.some((s) => s.connection === "connected"));
  assert.equal(states.at(-1)?.connection, "done");
});
