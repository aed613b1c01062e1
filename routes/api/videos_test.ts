import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks, signIn } from "../../lib/ingest/client.ts";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, splitEvenly } from "../../test_support/media.ts";
import { originalKey, waitForStatus } from "../../test_support/helpers.ts";

Deno.test("a person's videos are listed newest first, renamed, shared and deleted by them alone", async () => {
  await using server = await startTestServer();
  const other = await signIn(server.url, {
    email: "bo@example.com",
    password: "bo's long password",
    name: "Bo",
  });
  const first = await createRecording(
    server.url,
    { title: "First", mimeType: "video/webm" },
    server,
  );
  const second = await createRecording(server.url, {
    title: "Second",
    mimeType: "video/webm;codecs=vp8,opus",
  }, server);
  const list = async (cookie?: string) =>
    await fetch(`${server.url}/api/videos`, { headers: cookie ? { cookie } : {} });
  const mine = await (await list(server.cookie)).json();
  assert.deepEqual(mine.map((v: { id: string }) => v.id), [second.id, first.id]);
  assert.equal(mine[0].status, "recording");
  assert.equal(mine[0].playbackUrl, null, "nothing to play while recording");
  assert.equal(mine[0].owned, true);
  assert.deepEqual(await (await list(other.cookie)).json(), [], "not in another person's list");
  assert.equal((await list()).status, 401);
  const anonymous = await fetch(`${server.url}/api/videos`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mimeType: "video/webm" }),
  });
  assert.equal(anonymous.status, 401, "recording needs an account");
  await anonymous.body?.cancel();

  const bytes = await Deno.readFile(await makeWebm(6, 800));
  const client = await IngestClient.connect(second.ingestUrl, second.uploadToken);
  await sendChunks(client, splitEvenly(bytes, 2));
  assert.equal((await client.finish(1, 6000)).type, "done");
  const ready = await waitForStatus(server.url, second.id, "ready");
  assert.equal(ready.title, "Second");
  assert.equal(ready.mimeType, "video/webm");
  assert.equal(ready.visibility, "link");

  const patch = (auth: Record<string, string>, body: unknown) =>
    fetch(`${server.url}/api/videos/${second.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(body),
    });
  let res = await patch({}, { title: "Stolen" });
  assert.equal(res.status, 401);
  assert.equal((await res.json()).error.code, "unauthorized");
  res = await patch({ cookie: other.cookie }, { title: "Stolen" });
  assert.equal(res.status, 403, "another person is not the owner");
  await res.body?.cancel();
  res = await patch({ authorization: `Bearer ${second.uploadToken}` }, { title: "Stolen" });
  assert.equal(res.status, 401, "the upload token uploads; it does not make an owner");
  await res.body?.cancel();
  res = await patch({ cookie: server.cookie }, { title: "x".repeat(201) });
  assert.equal(res.status, 400);
  await res.body?.cancel();
  res = await patch({ cookie: server.cookie }, { visibility: "public" });
  assert.equal(res.status, 400);
  await res.body?.cancel();
  res = await patch({ cookie: server.cookie }, { title: "  Renamed  " });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).title, "Renamed");
  res = await patch({ cookie: server.cookie }, { visibility: "private" });
  assert.equal((await res.json()).visibility, "private");
  res = await fetch(`${server.url}/api/videos/${second.id}`, { headers: { cookie: other.cookie } });
  assert.equal(res.status, 404, "a private video does not exist for anyone else");
  await res.body?.cancel();

  const del = (cookie: string) =>
    fetch(`${server.url}/api/videos/${second.id}`, { method: "DELETE", headers: { cookie } });
  res = await del(other.cookie);
  assert.equal(res.status, 404);
  await res.body?.cancel();
  res = await del(server.cookie);
  assert.equal(res.status, 204);
  res = await fetch(`${server.url}/api/videos/${second.id}`, {
    headers: { cookie: server.cookie },
  });
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "not_found");
  assert.equal(await server.services.storage.size(originalKey(second.id)), null, "objects deleted");
  const after = await (await list(server.cookie)).json();
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
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  assert.equal((await client.chunk(0, new Uint8Array(100))).type, "ack");
  const res = await fetch(`${server.url}/api/videos/${rec.id}`, {
    method: "DELETE",
    headers: { cookie: server.cookie },
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
  const rec = await createRecording(server.url, undefined, server);
  const probes: [string, RequestInit, number][] = [
    ["/api/videos?limit=1.5&offset=1e21", { headers: { cookie: server.cookie } }, 200],
    ["/api/videos?limit=abc", { headers: { cookie: server.cookie } }, 200],
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
  const rec = await createRecording(server.url, undefined, server);
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
