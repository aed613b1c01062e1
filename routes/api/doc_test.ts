import assert from "node:assert/strict";
import { createRecording, signIn } from "../../lib/ingest/client.ts";
import { replaceSteps, stepImageKey, stepUid } from "../../lib/guide.ts";
import { startTestServer, type TestServer } from "../../test_support/server.ts";
import { connectYClient } from "../../test_support/yclient.ts";
import { waitFor } from "../../test_support/helpers.ts";

/** A recording with two steps written by the server, as auto-doc writes them. */
async function withSteps(server: TestServer) {
  const rec = await createRecording(server.url, { title: "Guide", mimeType: "video/webm" }, server);
  const room = (await server.services.rooms.open(rec.id))!;
  await replaceSteps(room, [
    {
      timestamp: 1,
      title: "Open settings",
      text: "Click the gear.",
      imageKey: null,
      confidence: 0.9,
    },
    { timestamp: 5, title: "Save", text: "Press Save.", imageKey: null, confidence: 0.8 },
  ]);
  return rec;
}

async function stepRows(server: TestServer, id: string) {
  return await server.services.db.sql`SELECT uid, content, data FROM annotations
    WHERE video_id = ${id} AND type = 'step' ORDER BY timestamp`;
}

Deno.test({
  name: "a viewer's socket cannot add, change or remove guide steps",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const rec = await withSteps(server);
    const a = await connectYClient(server.url, rec.id);
    const b = await connectYClient(server.url, rec.id);
    try {
      assert.equal(a.annotations.size, 2);
      const first = stepUid(rec.id, 1), second = stepUid(rec.id, 2);
      const original = structuredClone(a.annotations.get(first));
      // An edit, a removal, a new step, and one pointing at another video's file.
      a.annotations.set(first, {
        ...original as object,
        content: "pwned",
        data: { title: "pwned" },
      });
      a.annotations.delete(second);
      const forged = crypto.randomUUID();
      a.annotations.set(forged, {
        id: forged,
        timestamp: 2,
        content: "Forged",
        type: "step",
        author: "Auto-doc",
        createdAt: new Date().toISOString(),
        data: {
          title: "Forged",
          text: "",
          imageKey: `videos/${crypto.randomUUID()}/original.webm`,
          confidence: 1,
          position: 0,
        },
      });
      await waitFor(
        () =>
          b.annotations.size === 2 && !b.annotations.has(forged) &&
          JSON.stringify(b.annotations.get(first)) === JSON.stringify(original) &&
          a.annotations.size === 2,
        10_000,
        "the server to undo the changes",
      );
      // Everything the room holds is saved now: the rows are what it will ever write for them.
      await (await server.services.rooms.open(rec.id))!.flush();
      const rows = await stepRows(server, rec.id);
      assert.deepEqual(rows.map((r) => [r.uid, r.content]), [
        [first, "Open settings"],
        [second, "Save"],
      ]);
    } finally {
      a.destroy();
      b.destroy();
    }
  },
});

Deno.test("only the owner edits, reorders and deletes steps; bad requests get a clear 4xx", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await withSteps(server);
  const base = `${server.url}/api/videos/${rec.id}`;
  const first = stepUid(rec.id, 1), second = stepUid(rec.id, 2);
  const other = await signIn(server.url, {
    email: "bo@example.com",
    password: "bo's long password",
    name: "Bo",
  });
  const call = (method: string, path: string, body?: unknown, who?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(who === "token" ? { authorization: `Bearer ${rec.uploadToken}` } : {}),
        ...(who && who !== "token" ? { cookie: who } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const status = async (res: Promise<Response>) => {
    const r = await res;
    await r.body?.cancel();
    return r.status;
  };

  assert.equal(await status(call("PATCH", `/steps/${first}`, { title: "X" })), 401);
  assert.equal(await status(call("PATCH", `/steps/${first}`, { title: "X" }, other.cookie)), 403);
  // The upload token is for uploading, not for changing the video: without a session, 401.
  assert.equal(await status(call("PATCH", `/steps/${first}`, { title: "X" }, "token")), 401);
  assert.equal(await status(call("DELETE", `/steps/${first}`, undefined, other.cookie)), 403);
  assert.equal(await status(call("PUT", "/steps", { ids: [second, first] })), 401);
  assert.equal(await status(call("POST", "/doc", undefined, other.cookie)), 403);
  const own = server.cookie;
  assert.equal(await status(call("PATCH", `/steps/${first}`, {}, own)), 400);
  assert.equal(await status(call("PATCH", `/steps/${first}`, { text: "a\u0000b" }, own)), 400);
  assert.equal(await status(call("PATCH", `/steps/not-an-id`, { title: "X" }, own)), 400);
  assert.equal(
    await status(call("PATCH", `/steps/${crypto.randomUUID()}`, { title: "X" }, own)),
    404,
  );
  assert.equal(await status(call("PUT", "/steps", { ids: [first] }, own)), 400);
  assert.equal(await status(call("PUT", "/steps", { ids: [first, first] }, own)), 400);
  assert.equal(await status(call("POST", "/doc", undefined, own)), 409, "still recording");
  assert.equal(await status(call("GET", "/steps/0.jpg")), 400);
  assert.equal(await status(call("GET", "/steps/../x.jpg")), 404);
  assert.equal(await status(call("GET", "/steps/1.jpg")), 404, "a step without screenshot");
  assert.equal(await status(call("GET", "/steps/9.jpg")), 404);
  assert.deepEqual((await stepRows(server, rec.id)).map((r) => r.content), [
    "Open settings",
    "Save",
  ]);

  const edited = await call("PATCH", `/steps/${first}`, { title: "Open the settings" }, own);
  assert.equal(edited.status, 200);
  assert.equal((await edited.json()).title, "Open the settings");
  const reordered = await call("PUT", "/steps", { ids: [second, first] }, own);
  assert.deepEqual((await reordered.json()).map((s: { id: string }) => s.id), [second, first]);
  assert.equal(await status(call("DELETE", `/steps/${second}`, undefined, own)), 204);
  assert.equal(await status(call("DELETE", `/steps/${second}`, undefined, own)), 404);
  const doc = await (await call("GET", "/doc")).json();
  assert.deepEqual(doc.steps.map((s: { index: number; title: string }) => [s.index, s.title]), [
    [1, "Open the settings"],
  ]);
  const rows = await stepRows(server, rec.id);
  assert.deepEqual(rows.map((r) => [r.content, r.data.title]), [[
    "Open the settings",
    "Open the settings",
  ]]);
  assert.equal(stepImageKey(rec.id, first), `videos/${rec.id}/steps/${first}.jpg`);
});

Deno.test("asking twice at once for the guide queues one job", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, { mimeType: "video/webm" }, server);
  const sql = server.services.db.sql;
  await sql`UPDATE videos SET status = 'ready' WHERE id = ${rec.id}`;
  const ask = () =>
    fetch(`${server.url}/api/videos/${rec.id}/doc`, {
      method: "POST",
      headers: { cookie: server.cookie },
    }).then(async (r) => (await r.body?.cancel(), r.status));
  assert.deepEqual(await Promise.all([ask(), ask(), ask()]), [202, 202, 202]);
  const [{ count }] = await sql`SELECT count(*)::int AS count FROM jobs
    WHERE video_id = ${rec.id} AND kind = 'autodoc'`;
  assert.equal(count, 1);
  const video = await (await fetch(`${server.url}/api/videos/${rec.id}`)).json();
  assert.deepEqual(video.doc, { status: "pending", progress: 0, error: null });
});
