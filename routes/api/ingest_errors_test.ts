import assert from "node:assert/strict";
import { chunkFrame } from "../../lib/ingest/protocol.ts";
import { createRecording, IngestClient, sendChunks } from "../../lib/ingest/client.ts";
import { startTestServer } from "../../test_support/server.ts";
import { seededRandom, sha256, splitEvenly } from "../../test_support/media.ts";
import { originalKey, readObject } from "../../test_support/helpers.ts";

const MiB = 1024 * 1024;

Deno.test("bad input gets its documented error and close code while another recording stays intact", async (t) => {
  await using server = await startTestServer({
    INGEST_MAX_CHUNK_BYTES: String(2 * MiB),
    MAX_VIDEO_BYTES: String(7 * MiB),
  }, { jobs: false });

  // A good recording streams at a steady pace the whole time.
  const random = seededRandom(11);
  const goodBytes = new Uint8Array(6 * MiB + 999).map(() => (random() * 256) | 0);
  const goodChunks = splitEvenly(goodBytes, 40);
  const good = await createRecording(server.url, undefined, server);
  const goodClient = await IngestClient.connect(good.ingestUrl, good.uploadToken);
  let stop = false;
  const streaming = (async () => {
    for (let seq = 0; seq < goodChunks.length; seq++) {
      const ack = await goodClient.chunk(seq, goodChunks[seq]);
      assert.equal(ack.type, "ack");
      if (!stop) await new Promise((r) => setTimeout(r, 30));
    }
  })();

  /** Opens a socket to `url`, says hello with `token`, sends `frames`; returns the last answer and close code. */
  async function exchange(url: string, token: string | null, frames: (string | Uint8Array)[]) {
    const c = await IngestClient.open(url);
    const answers = [];
    if (token !== null) answers.push(await c.request(JSON.stringify({ type: "hello", token })));
    for (const frame of frames) {
      try {
        answers.push(await c.request(frame));
      } catch {
        break; // closed after a fatal error
      }
    }
    const closed = await Promise.race([
      c.closed,
      new Promise<null>((r) => setTimeout(() => r(null), 3000)),
    ]);
    if (!closed) await c.close();
    return { answers, last: answers.at(-1)!, code: closed?.code ?? null };
  }

  const rec = await createRecording(server.url, undefined, server);
  const base = `ws://127.0.0.1:${server.port}/api/videos`;

  await t.step("wrong token: 4401", async () => {
    const r = await exchange(rec.ingestUrl, "not-the-token", []);
    assert.equal(r.last.code, "token");
    assert.equal(r.code, 4401);
  });
  await t.step("unknown id: 4404", async () => {
    const r = await exchange(`${base}/${crypto.randomUUID()}/ingest`, "x", []);
    assert.equal(r.last.code, "not_found");
    assert.equal(r.code, 4404);
  });
  await t.step("malformed id in the path: 4404 over the socket, 400 over HTTP", async () => {
    const r = await exchange(`${base}/not-a-uuid'--/ingest`, "x", []);
    assert.equal(r.last.code, "not_found");
    assert.equal(r.code, 4404);
    const res = await fetch(`${server.url}/api/videos/not-a-uuid'--`);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "bad_id");
  });
  await t.step("a chunk before hello: 4400", async () => {
    const r = await exchange(rec.ingestUrl, null, [chunkFrame(0, new Uint8Array(5))]);
    assert.equal(r.last.code, "protocol");
    assert.equal(r.code, 4400);
  });
  await t.step("a gap is reported and is not fatal", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, [
      chunkFrame(5, new Uint8Array(10)),
      chunkFrame(0, new Uint8Array(10)),
    ]);
    assert.deepEqual(r.answers[1], {
      type: "error",
      code: "gap",
      message: "expected chunk 0",
      expected: 0,
    });
    assert.deepEqual(r.answers[2], { type: "ack", seq: 0, durableSeq: -1 });
    assert.equal(r.code, null, "the socket stayed open");
  });
  await t.step("a binary frame shorter than 4 bytes: 4400", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, [new Uint8Array([0, 1])]);
    assert.equal(r.last.code, "protocol");
    assert.equal(r.code, 4400);
  });
  await t.step("non-JSON text: 4400", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, ["{not json"]);
    assert.equal(r.last.code, "protocol");
    assert.equal(r.code, 4400);
  });
  await t.step("JSON without a type: 4400", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, [JSON.stringify({ seq: 1 })]);
    assert.equal(r.last.code, "protocol");
    assert.match(r.last.message as string, /no type/);
    assert.equal(r.code, 4400);
  });
  await t.step("a chunk over INGEST_MAX_CHUNK_BYTES: 4413", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, [
      chunkFrame(1, new Uint8Array(2 * MiB + 1)),
    ]);
    assert.equal(r.last.code, "too_large");
    assert.equal(r.code, 4413);
  });
  await t.step("a recording over MAX_VIDEO_BYTES: 4413, and what came before is kept", async () => {
    const big = await createRecording(server.url, undefined, server);
    const c = await IngestClient.connect(big.ingestUrl, big.uploadToken);
    await sendChunks(c, Array.from({ length: 3 }, () => new Uint8Array(2 * MiB)));
    const answer = await c.chunk(3, new Uint8Array(2 * MiB));
    assert.equal(answer.code, "too_large");
    assert.equal((await c.closed).code, 4413);
    // The recorder can still finish with what the server accepted.
    const again = await IngestClient.connect(big.ingestUrl, big.uploadToken);
    assert.equal(again.ready.nextSeq, 3);
    assert.equal((await again.finish(2)).type, "done");
    const stored = await readObject(server.services.storage, originalKey(big.id));
    assert.equal(stored.length, 6 * MiB);
  });
  await t.step("finish twice, and a chunk after finish: 4409", async () => {
    const r = await exchange(rec.ingestUrl, rec.uploadToken, [
      JSON.stringify({ type: "finish", lastSeq: 0, durationMs: 10 }),
    ]);
    assert.deepEqual(r.last, { type: "done", id: rec.id });
    assert.equal(r.code, 1000);
    const twice = await exchange(rec.ingestUrl, rec.uploadToken, []);
    assert.equal(twice.last.code, "finished");
    assert.equal(twice.code, 4409);
    const res = await fetch(`${server.url}/api/videos/${rec.id}/finish`, {
      method: "POST",
      headers: { authorization: `Bearer ${rec.uploadToken}`, "content-type": "application/json" },
      body: JSON.stringify({ lastSeq: 0 }),
    });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).code, "finished");
  });
  await t.step("a bad create request gets a JSON 400", async () => {
    for (const body of ["nope", JSON.stringify({ mimeType: "text/html" }), JSON.stringify({})]) {
      const res = await fetch(`${server.url}/api/videos`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: server.cookie },
        body,
      });
      assert.equal(res.status, 400);
      assert.ok((await res.json()).error.message);
    }
  });

  stop = true;
  await streaming;
  assert.equal((await goodClient.finish(goodChunks.length - 1)).type, "done");
  const stored = await readObject(server.services.storage, originalKey(good.id));
  assert.equal(sha256(stored), sha256(goodBytes), "the concurrent recording is intact");
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");
});
