import assert from "node:assert/strict";
import { startTestServer } from "../../test_support/server.ts";
import { createRecording, signIn } from "../../lib/ingest/client.ts";
import { splitHighlights } from "../../lib/search.ts";

async function comment(base: string, id: string, timestamp: number, content: string) {
  const res = await fetch(`${base}/api/videos/${id}/annotations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timestamp, content, author: "Ana" }),
  });
  assert.equal(res.status, 201);
}

async function searchFor(
  server: { url: string; cookie: string },
  q: string,
  cookie = server.cookie,
) {
  const res = await fetch(`${server.url}/api/search?q=${encodeURIComponent(q)}`, {
    headers: cookie ? { cookie } : {},
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("search finds titles and comments by stemmed words, with deep links and highlights", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const a = await createRecording(server.url, {
    title: "Quarterly deployment review",
    mimeType: "video/webm",
  }, server);
  const b = await createRecording(
    server.url,
    { title: "Onboarding", mimeType: "video/webm" },
    server,
  );
  await comment(server.url, b.id, 12.34, "The deploy button moved to the toolbar");
  await comment(server.url, b.id, 3, "Nothing to see here");

  const { status, body } = await searchFor(server, "deploying");
  assert.equal(status, 200);
  const kinds = body.hits.map((h: { kind: string; videoId: string }) => `${h.kind}:${h.videoId}`)
    .sort();
  assert.deepEqual(kinds, [`comment:${b.id}`, `video:${a.id}`].sort());
  const hit = body.hits.find((h: { kind: string }) => h.kind === "comment");
  assert.equal(hit.url, `/v/${b.id}?t=12.4`);
  assert.equal(hit.timestamp, 12.34);
  assert.equal(hit.videoTitle, "Onboarding");
  const [s, e] = hit.highlights[0];
  assert.equal(hit.snippet.slice(s, e).toLowerCase(), "deploy");

  // Another person finds none of it; nobody signed in may not search.
  const other = await signIn(server.url, {
    email: "bo@example.com",
    password: "bo's long password",
    name: "Bo",
  });
  assert.deepEqual((await searchFor(server, "deploying", other.cookie)).body.hits, []);
  assert.equal((await searchFor(server, "deploying", "")).status, 401);

  // Words that match nothing, and syntax that is not SQL.
  assert.deepEqual((await searchFor(server, "zeppelin")).body.hits, []);
  const odd = await searchFor(server, `deploy' OR 1=1; DROP TABLE videos; --`);
  assert.equal(odd.status, 200);
  assert.ok(Array.isArray(odd.body.hits));
  const [{ count }] = await server.services.db.sql`SELECT count(*)::int AS count FROM videos`;
  assert.equal(count, 2);
  assert.equal((await searchFor(server, "deploy\u0000")).status, 200, "a NUL is no 500");
  assert.equal((await searchFor(server, "   ")).status, 400);
  assert.equal((await searchFor(server, "x".repeat(201))).status, 400);
});

Deno.test("search uses the full-text indexes", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const sql = server.services.db.sql;
  // With a handful of rows the planner rightly prefers a scan; forbid it to see that the index
  // can answer the query at all.
  const plan = await sql.begin(async (tx) => {
    await tx`SET LOCAL enable_seqscan = off`;
    const a = await tx`EXPLAIN SELECT uid FROM annotations
      WHERE search @@ websearch_to_tsquery('english', 'deploy')`;
    const v = await tx`EXPLAIN SELECT id FROM videos
      WHERE search @@ websearch_to_tsquery('english', 'deploy')`;
    return [...a, ...v].map((r) => r["QUERY PLAN"]).join("\n");
  });
  assert.match(plan, /Index Scan on annotations_search_idx/);
  assert.match(plan, /Index Scan on videos_search_idx/);
});

Deno.test("highlight markers become offsets", () => {
  assert.deepEqual(splitHighlights("a \u0002bc\u0003 d \u0002e\u0003"), {
    snippet: "a bc d e",
    highlights: [[2, 4], [7, 8]],
  });
});
