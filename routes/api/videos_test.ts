import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks } from "../../lib/ingest/client.ts";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, splitEvenly } from "../../test_support/media.ts";
import { originalKey, waitForStatus } from "../../test_support/helpers.ts";

Deno.test("videos are listed newest first, renamed and deleted by the holder of the upload token", async () => {
  await using server = await startTestServer();
  const first = await createRecording(server.url, { title: "First", mimeType: "video/webm" });
  const second = await createRecording(server.url, {
    title: "Second",
    mimeType: "video/webm;codecs=vp8,opus",
  });
  const list = await (await fetch(`${server.url}/api/videos`)).json();
  assert.deepEqual(list.map((v: { id: string }) => v.id), [second.id, first.id]);
  assert.equal(list[0].status, "recording");
  assert.equal(list[0].playbackUrl, null, "nothing to play while recording");

  const bytes = await Deno.readFile(await makeWebm(6, 800));
  const client = await IngestClient.connect(second.ingestUrl, second.uploadToken);
  await sendChunks(client, splitEvenly(bytes, 2));
  assert.equal((await client.finish(1, 6000)).type, "done");
  const ready = await waitForStatus(server.url, second.id, "ready");
  assert.equal(ready.title, "Second");
  assert.equal(ready.mimeType, "video/webm");

  const patch = (token: string | null, body: unknown) =>
    fetch(`${server.url}/api/videos/${second.id}`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  let res = await patch(null, { title: "Stolen" });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "unauthorized");
  res = await patch(first.uploadToken, { title: "Stolen" });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  res = await patch(second.uploadToken, { title: "x".repeat(201) });
  assert.equal(res.status, 400);
  await res.body?.cancel();
  res = await patch(second.uploadToken, { title: "  Renamed  " });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).title, "Renamed");

  const del = (token: string) =>
    fetch(`${server.url}/api/videos/${second.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
  res = await del(first.uploadToken);
  assert.equal(res.status, 403);
  await res.body?.cancel();
  res = await del(second.uploadToken);
  assert.equal(res.status, 204);
  res = await fetch(`${server.url}/api/videos/${second.id}`);
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "not_found");
  assert.equal(await server.services.storage.size(originalKey(second.id)), null, "objects deleted");
  const after = await (await fetch(`${server.url}/api/videos`)).json();
  assert.deepEqual(after.map((v: { id: string }) => v.id), [first.id]);
});

Deno.test("healthz reports the database and the storage", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.database.ok, true);
  assert.equal(body.database.kind, "postgres");
  assert.equal(body.storage.ok, true);
});

Deno.test("deleting a video while it records ends its ingest socket with 4404", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  assert.equal((await client.chunk(0, new Uint8Array(100))).type, "ack");
  const res = await fetch(`${server.url}/api/videos/${rec.id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${rec.uploadToken}` },
  });
  assert.equal(res.status, 204);
  const answer = await client.chunk(1, new Uint8Array(100));
  assert.equal(answer.code, "not_found");
  assert.equal((await client.closed).code, 4404);
  const [row] = await server.services.db.sql`SELECT count(*)::int AS n FROM videos`;
  assert.equal(row.n, 0);
});

Deno.test("malformed query, path, range and handshake get a 4xx, never a 500", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url);
  const probes: [string, RequestInit, number][] = [
    ["/api/videos?limit=1.5&offset=1e21", {}, 200],
    ["/api/videos?limit=abc", {}, 200],
    ["/media/%FF", {}, 403],
    ["/media/videos/x?exp=99999999999&sig=abc", { headers: { range: "bytes=9-1" } }, 403],
    [`/api/videos/${rec.id}/ingest`, { headers: { upgrade: "websocket" } }, 400],
    [`/api/videos/${rec.id}/ingest`, {}, 426],
    [`/api/collab/${rec.id}`, { headers: { upgrade: "websocket" } }, 400],
    [`/api/videos/${rec.id}/chunks/-1`, { method: "PUT", body: "x" }, 400],
    [`/api/videos/${rec.id}/chunks/99999999999`, { method: "PUT", body: "x" }, 400],
    ["/api/videos", { method: "POST", body: "x".repeat(100_000) }, 413],
  ];
  for (const [path, init, status] of probes) {
    const res = await fetch(server.url + path, init);
    assert.equal(res.status, status, `${init.method ?? "GET"} ${path}`);
    if (status !== 200) {
      // API errors are {error: {code, message}}; the ingest fallback answers in the protocol's form.
      const body = await res.json();
      assert.ok(body.error?.message || (body.type === "error" && body.message), path);
    } else await res.body?.cancel();
  }
});

Deno.test("finishing a recording that holds no data fails it with a clear reason", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  const answer = await client.finish(-1);
  assert.equal(answer.code, "empty");
  assert.equal((await client.closed).code, 4400);
  const video = await (await fetch(`${server.url}/api/videos/${rec.id}`)).json();
  assert.equal(video.status, "failed");
  assert.equal(video.error, "the recording holds no data");
  const again = await IngestClient.open(rec.ingestUrl);
  const hello = await again.request(JSON.stringify({ type: "hello", token: rec.uploadToken }));
  assert.equal(hello.code, "finished");
  assert.equal((await again.closed).code, 4409);
});
