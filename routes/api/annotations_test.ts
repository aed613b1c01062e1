import assert from "node:assert/strict";
import { createRecording } from "../../lib/ingest/client.ts";
import { startTestServer } from "../../test_support/server.ts";

Deno.test("comments are added, listed by timestamp and deleted by their author or the owner", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, undefined, server);
  const url = `${server.url}/api/videos/${rec.id}/annotations`;
  const post = (body: unknown) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const late = await post({ timestamp: 7.5, content: "  Late  ", author: "Ana" });
  assert.equal(late.status, 201);
  const lateJson = await late.json();
  assert.equal(lateJson.content, "Late");
  assert.equal(lateJson.type, "comment");
  assert.equal(lateJson.author, "Ana");
  assert.match(lateJson.id, /^[0-9a-f-]{36}$/);
  assert.ok(lateJson.deleteToken);
  const early = await (await post({ timestamp: 2, content: "Early" })).json();
  const sqlish = await (await post({ timestamp: 3, content: "'); DROP TABLE videos; --" })).json();

  const list = await (await fetch(url)).json();
  assert.deepEqual(list.map((a: { content: string }) => a.content), [
    "Early",
    "'); DROP TABLE videos; --",
    "Late",
  ]);
  assert.deepEqual(Object.keys(list[0]).sort(), [
    "author",
    "content",
    "createdAt",
    "data",
    "id",
    "timestamp",
    "type",
  ]);
  assert.equal(list[0].deleteToken, undefined, "delete tokens are never listed");

  for (
    const bad of [
      { timestamp: -1, content: "x" },
      { timestamp: 1, content: "" },
      {
        timestamp: 1,
        content: "x".repeat(5001),
      },
      { timestamp: "1", content: "x" },
      { timestamp: 1, content: "x", type: "step" },
    ]
  ) {
    const res = await post(bad);
    assert.equal(res.status, 400, JSON.stringify(bad).slice(0, 60));
    assert.equal((await res.json()).error.code, "invalid");
  }

  const del = (uid: string, token: string | null, cookie?: string) =>
    fetch(`${url}/${uid}`, {
      method: "DELETE",
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(cookie ? { cookie } : {}),
      },
    });
  let res = await del(early.id, null);
  assert.equal(res.status, 403);
  await res.body?.cancel();
  res = await del(early.id, lateJson.deleteToken);
  assert.equal(res.status, 403, "another comment's token does not delete this one");
  await res.body?.cancel();
  res = await del(early.id, early.deleteToken);
  assert.equal(res.status, 204);
  res = await del(sqlish.id, null, server.cookie);
  assert.equal(res.status, 204, "the owner deletes any comment");
  res = await del(sqlish.id, rec.uploadToken);
  assert.equal(res.status, 404);
  await res.body?.cancel();
  const after = await (await fetch(url)).json();
  assert.deepEqual(after.map((a: { id: string }) => a.id), [lateJson.id]);
  const missing = await fetch(`${server.url}/api/videos/${crypto.randomUUID()}/annotations`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});
