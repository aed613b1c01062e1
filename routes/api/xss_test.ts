/** Hostile text in every field people type, shown escaped everywhere it is shown. */
import assert from "node:assert/strict";
import { createRecording } from "../../lib/ingest/client.ts";
import { replaceSteps } from "../../lib/guide.ts";
import { startTestServer } from "../../test_support/server.ts";

const XSS = `<script>alert("x")</script><img src=x onerror=alert(1)>"'`;
const SQLISH = `'; DROP TABLE videos; -- \\ %_ $1 \${x}`;

Deno.test("script in a title, comment, author and step is escaped on every page and in Markdown", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, { title: XSS, mimeType: "video/webm" }, server);
  const comment = await fetch(`${server.url}/api/videos/${rec.id}/annotations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timestamp: 1, content: `${XSS} alert`, author: XSS.slice(0, 80) }),
  });
  assert.equal(comment.status, 201);
  const room = (await server.services.rooms.open(rec.id))!;
  await replaceSteps(room, [{
    timestamp: 2,
    title: XSS,
    text: `${XSS}\nalert`,
    imageKey: null,
    confidence: 1,
  }]);

  const pages = [`/v/${rec.id}`, `/v/${rec.id}/doc`, "/", "/?q=alert"];
  for (const path of pages) {
    const html = await (await fetch(`${server.url}${path}`, { headers: { cookie: server.cookie } }))
      .text();
    assert.ok(
      html.includes("&lt;script&gt;") || html.includes("&quot;&lt;script"),
      `${path} shows it`,
    );
    assert.ok(!html.includes("<script>alert"), `${path} holds a live script tag`);
    assert.ok(!html.includes("<img src=x"), `${path} holds a live img tag`);
  }
  const md = await (await fetch(`${server.url}/api/videos/${rec.id}/doc.md`)).text();
  // Every "<" is escaped ("\<"), so a Markdown renderer shows it as text, never as a tag.
  assert.doesNotMatch(md, /(^|[^\\])<(script|img)/m, "Markdown has no raw HTML");
  assert.ok(md.includes("\\<script\\>"), "Markdown shows the text escaped");
  // The API returns exactly what was stored.
  const video = await (await fetch(`${server.url}/api/videos/${rec.id}`)).json();
  assert.equal(video.title, XSS);
});

Deno.test("SQL metacharacters are stored and returned literally", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, { title: SQLISH, mimeType: "video/webm" }, server);
  const res = await fetch(`${server.url}/api/videos/${rec.id}/annotations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timestamp: 0, content: SQLISH, author: SQLISH }),
  });
  assert.equal(res.status, 201);
  const video = await (await fetch(`${server.url}/api/videos/${rec.id}`)).json();
  assert.equal(video.title, SQLISH);
  const [note] = await (await fetch(`${server.url}/api/videos/${rec.id}/annotations`)).json();
  assert.deepEqual([note.content, note.author], [SQLISH, SQLISH]);
  const found = await (await fetch(`${server.url}/api/search?q=${encodeURIComponent(SQLISH)}`, {
    headers: { cookie: server.cookie },
  })).json();
  assert.ok(Array.isArray(found.hits));
  const [{ count }] = await server.services.db.sql`SELECT count(*)::int AS count FROM videos`;
  assert.equal(count, 1, "the table is still there");

  // A NUL character (which PostgreSQL cannot store) is refused with a 400, not a 500.
  const nul = [
    [`/api/videos`, "POST", { title: "a\u0000b", mimeType: "video/webm" }],
    [`/api/videos/${rec.id}`, "PATCH", { title: "a\u0000b" }],
    [`/api/videos/${rec.id}/annotations`, "POST", { timestamp: 0, content: "a\u0000b" }],
    [`/api/videos/${rec.id}/annotations`, "POST", {
      timestamp: 0,
      content: "ok",
      author: "\u0000",
    }],
  ] as const;
  for (const [path, method, body] of nul) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { "content-type": "application/json", cookie: server.cookie },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 400, `${method} ${path}`);
    await res.body?.cancel();
  }
  // Only a video with an owner can be kept private.
  await server.services.db.sql`UPDATE videos SET owner_id = NULL WHERE id = ${rec.id}`;
  const ownerless = await fetch(`${server.url}/api/videos/${rec.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: `Bearer ${rec.uploadToken}` },
    body: JSON.stringify({ visibility: "private" }),
  });
  assert.equal(ownerless.status, 409);
  await ownerless.body?.cancel();
});
