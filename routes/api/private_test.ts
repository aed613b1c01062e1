/** A private video, asked for by someone not signed in and by another person, on every path. */
import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks, signIn } from "../../lib/ingest/client.ts";
import { replaceSteps, stepImageKey, stepUid } from "../../lib/guide.ts";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, splitEvenly } from "../../test_support/media.ts";
import { type HandshakeResult, rawHandshake } from "../../test_support/raw_socket.ts";
import { waitFor, within } from "../../test_support/helpers.ts";

/** What the live-document socket's handshake gets, for a request with `cookie`. */
function joinLive(url: string, cookie?: string): Promise<HandshakeResult> {
  return rawHandshake(url, cookie ? { Cookie: cookie } : {}, 3000);
}

Deno.test({
  name: "a private video is its owner's alone: page, API, playback, live document, guide, images",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const other = await signIn(server.url, {
      email: "bo@example.com",
      password: "bo's long password",
      name: "Bo",
    });
    const rec = await createRecording(server.url, {
      title: "Salary review",
      mimeType: "video/webm",
    }, server);
    const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
    const chunks = splitEvenly(await Deno.readFile(await makeWebm(4, 500)), 2);
    await sendChunks(client, chunks);
    assert.equal((await client.finish(1, 4000)).type, "done");
    // A guide step with a screenshot, and a comment.
    const image = await Deno.makeTempFile();
    await Deno.writeTextFile(image, "jpeg bytes");
    const key = stepImageKey(rec.id, stepUid(rec.id, 1));
    await server.services.storage.putFile(key, image, "image/jpeg");
    const room = (await server.services.rooms.open(rec.id))!;
    await replaceSteps(room, [{
      timestamp: 1,
      title: "Open payroll",
      text: "",
      imageKey: key,
      confidence: 1,
    }]);
    const as = (cookie?: string): RequestInit => ({ headers: cookie ? { cookie } : {} });
    const made = await fetch(`${server.url}/api/videos/${rec.id}/annotations`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: server.cookie },
      body: JSON.stringify({ timestamp: 1, content: "secret note" }),
    });
    assert.equal(made.status, 201);
    const setVisibility = await fetch(`${server.url}/api/videos/${rec.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", cookie: server.cookie },
      body: JSON.stringify({ visibility: "private" }),
    });
    assert.equal((await setVisibility.json()).visibility, "private");

    // Each path with the status its owner gets: step images redirect to a signed URL.
    const owner: [string, number][] = [
      [`/v/${rec.id}`, 200],
      [`/v/${rec.id}/doc`, 200],
      [`/api/videos/${rec.id}`, 200],
      [`/api/videos/${rec.id}/annotations`, 200],
      [`/api/videos/${rec.id}/doc`, 200],
      [`/api/videos/${rec.id}/doc.md`, 200],
      [`/api/videos/${rec.id}/steps/1.jpg`, 302],
      [`/api/videos/${rec.id}/steps/${stepUid(rec.id, 1)}.jpg`, 302],
    ];
    const paths = owner.map(([path]) => path);
    // The owner sees everything.
    for (const [path, status] of owner) {
      const res = await fetch(`${server.url}${path}`, { ...as(server.cookie), redirect: "manual" });
      await res.body?.cancel();
      assert.equal(res.status, status, `owner ${path}`);
      if (status === 302) {
        // The redirect leads to the image itself.
        const image = await fetch(new URL(res.headers.get("location")!, server.url));
        assert.equal(await image.text(), "jpeg bytes", `owner ${path} image`);
      }
    }
    const owned = await (await fetch(`${server.url}/api/videos/${rec.id}`, as(server.cookie)))
      .json();
    assert.ok(owned.playbackUrl, "the owner gets a playback URL");

    for (const [who, cookie] of [["anonymous", undefined], ["another person", other.cookie]]) {
      for (const path of paths) {
        const res = await fetch(`${server.url}${path}`, { ...as(cookie), redirect: "manual" });
        const body = await res.text();
        assert.equal(res.status, 404, `${who} ${path}`);
        for (const secret of ["Salary review", "secret note", "Open payroll", "/media/"]) {
          assert.ok(!body.includes(secret), `${who} ${path} leaks ${secret}`);
        }
      }
      const comment = await fetch(`${server.url}/api/videos/${rec.id}/annotations`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ timestamp: 1, content: "let me in" }),
      });
      assert.equal(comment.status, 404, `${who} comments`);
      await comment.body?.cancel();
      for (
        const [method, path, body] of [
          ["PATCH", "", { title: "mine now" }],
          ["PATCH", "", { visibility: "link" }],
          ["DELETE", "", undefined],
          ["PATCH", `/steps/${stepUid(rec.id, 1)}`, { title: "changed" }],
          ["POST", "/doc", undefined],
        ] as const
      ) {
        const res = await fetch(`${server.url}/api/videos/${rec.id}${path}`, {
          method,
          headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        await res.body?.cancel();
        assert.equal(res.status, 404, `${who} ${method} ${path}`);
      }
      // Upgraded, then closed at once as for a video that does not exist.
      assert.deepEqual(
        await joinLive(`${server.url}/api/collab/${rec.id}`, cookie),
        { status: 101, closeCode: 4404 },
        `${who} joins the live document`,
      );
    }
    // The owner's socket is upgraded and stays open.
    assert.deepEqual(
      await joinLive(`${server.url}/api/collab/${rec.id}`, server.cookie),
      { status: 101, closeCode: null },
      "the owner joins the live document",
    );

    // Nothing changed, nothing was added.
    const after = await (await fetch(`${server.url}/api/videos/${rec.id}`, as(server.cookie)))
      .json();
    assert.deepEqual([after.title, after.visibility], ["Salary review", "private"]);
    const rows = await server.services.db.sql`SELECT content FROM annotations
      WHERE video_id = ${rec.id} ORDER BY timestamp, content`;
    assert.deepEqual(rows.map((r) => r.content).sort(), ["Open payroll", "secret note"]);
    await Deno.remove(image);
  },
});

Deno.test("making a video private disconnects its live viewers, who cannot come back", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const rec = await createRecording(server.url, { mimeType: "video/webm" }, server);
  const room = (await server.services.rooms.open(rec.id))!;
  // A viewer without an account in the live document of a video shared by link.
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/collab/${rec.id}`);
  ws.binaryType = "arraybuffer";
  const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
  await within(new Promise((r) => ws.onopen = r), 10_000, "the viewer's socket to open");
  await waitFor(() => room.peers.size === 1, 10_000, "the viewer to join the room");
  assert.equal(ws.readyState, WebSocket.OPEN);

  const res = await fetch(`${server.url}/api/videos/${rec.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", cookie: server.cookie },
    body: JSON.stringify({ visibility: "private" }),
  });
  assert.equal((await res.json()).visibility, "private");
  // Closed as the room unloads (1001, going away); coming back, it is refused as anyone else.
  assert.equal(await within(closed, 10_000, "the viewer to be disconnected"), 1001);
  assert.equal(room.peers.size, 0);
  assert.deepEqual(await joinLive(`${server.url}/api/collab/${rec.id}`), {
    status: 101,
    closeCode: 4404,
  });
  assert.deepEqual(await joinLive(`${server.url}/api/collab/${rec.id}`, server.cookie), {
    status: 101,
    closeCode: null,
  }, "the owner still joins");
});
