import assert from "node:assert/strict";
import * as encoding from "lib0/encoding.js";
import { createRecording, signIn } from "../../lib/ingest/client.ts";
import { ChildServer, freePort, startTestServer, TEST_ACCOUNT } from "../../test_support/server.ts";
import { createTestDatabase } from "../../test_support/db.ts";
import { connectYClient, entry, type YClient } from "../../test_support/yclient.ts";
import { waitFor } from "../../test_support/helpers.ts";

const collabTest = { sanitizeOps: false, sanitizeResources: false };

async function rows(sql: import("../../lib/db/mod.ts").Sql, videoId: string) {
  return await sql`SELECT uid, timestamp, content FROM annotations
    WHERE video_id = ${videoId} ORDER BY timestamp`;
}

Deno.test({
  ...collabTest,
  name: "two stock y-websocket clients converge, also with 500 concurrent inserts from each",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const { id } = await createRecording(server.url, undefined, server);
    const a = await connectYClient(server.url, id);
    const b = await connectYClient(server.url, id);
    try {
      const first = entry(1, "hello from a");
      a.annotations.set(first.id, first);
      await waitFor(() => b.annotations.has(first.id), 2000, "b to see a's entry");

      for (let i = 0; i < 500; i++) {
        const ea = entry(i / 10, `a${i}`);
        const eb = entry(i / 10, `b${i}`);
        a.annotations.set(ea.id, ea);
        b.annotations.set(eb.id, eb);
      }
      await waitFor(
        () => a.annotations.size === 1001 && b.annotations.size === 1001,
        15_000,
        "convergence",
      );
      assert.deepEqual([...a.annotations.keys()].sort(), [...b.annotations.keys()].sort());
      await waitFor(
        async () => (await rows(server.services.db.sql, id)).length === 1001,
        5000,
        "the rows",
      );
    } finally {
      a.destroy();
      b.destroy();
    }
  },
});

Deno.test({
  ...collabTest,
  name:
    "a REST write reaches a connected client, and a client write reaches REST and SQL within 1 s",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const { id } = await createRecording(server.url, undefined, server);
    const client = await connectYClient(server.url, id);
    try {
      const res = await fetch(`${server.url}/api/videos/${id}/annotations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ timestamp: 2, content: "from REST", author: "Rita" }),
      });
      const created = await res.json();
      await waitFor(() => client.annotations.has(created.id), 1000, "the REST write live");
      assert.equal(
        (client.annotations.get(created.id) as { content: string }).content,
        "from REST",
      );

      const e = entry(4, "from the live document");
      const t0 = performance.now();
      client.annotations.set(e.id, e);
      await waitFor(
        async () => {
          const list = await (await fetch(`${server.url}/api/videos/${id}/annotations`)).json();
          return list.some((a: { id: string }) => a.id === e.id);
        },
        1000,
        "the live write in REST",
      );
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${ms} ms`);
      assert.deepEqual((await rows(server.services.db.sql, id)).map((r) => r.content), [
        "from REST",
        "from the live document",
      ]);

      // Deleting through REST removes it live, and deleting live removes the row.
      const del = await fetch(`${server.url}/api/videos/${id}/annotations/${created.id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${created.deleteToken}` },
      });
      assert.equal(del.status, 204);
      await waitFor(() => !client.annotations.has(created.id), 1000, "the REST delete live");
      client.annotations.delete(e.id);
      await waitFor(
        async () => (await rows(server.services.db.sql, id)).length === 0,
        1000,
        "rows gone",
      );
    } finally {
      client.destroy();
    }
  },
});

Deno.test({
  ...collabTest,
  name:
    "invalid entries never reach SQL and leave the document; invalid messages close only their socket",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const { id } = await createRecording(server.url, undefined, server);
    const a = await connectYClient(server.url, id);
    const b = await connectYClient(server.url, id);
    try {
      const good = entry(1, "fine");
      a.annotations.set(good.id, good);
      const bad = [
        { ...entry(1, "x"), timestamp: "soon" },
        { ...entry(1, "x".repeat(5001)) },
        { ...entry(1, "x"), type: "virus" },
        { ...entry(1, "x"), id: "someone-else" },
      ];
      for (const e of bad) {
        a.annotations.set(e.id === "someone-else" ? crypto.randomUUID() : e.id, e);
      }
      a.annotations.set("not-a-uuid", entry(1, "x"));
      await waitFor(
        () => b.annotations.size === 1 && a.annotations.size === 1,
        3000,
        "the server to remove them",
      );
      assert.deepEqual([...b.annotations.keys()], [good.id]);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual((await rows(server.services.db.sql, id)).map((r) => r.uid), [good.id]);

      // Garbage on a raw socket: that socket is closed with 4400, the room goes on.
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/collab/${id}`);
      ws.binaryType = "arraybuffer";
      await new Promise((r) => ws.onopen = r);
      const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 2);
      encoding.writeVarUint8Array(encoder, new Uint8Array([255, 255, 255, 1, 2, 3]));
      ws.send(encoding.toUint8Array(encoder));
      assert.equal(await closed, 4400);
      const after = entry(2, "still alive");
      b.annotations.set(after.id, after);
      await waitFor(() => a.annotations.has(after.id), 2000, "the room to go on");

      const text = new WebSocket(`${server.url.replace("http", "ws")}/api/collab/${id}`);
      await new Promise((r) => text.onopen = r);
      const textClosed = new Promise<number>((r) => text.onclose = (e) => r(e.code));
      text.send("hello?");
      assert.equal(await textClosed, 4400);

      const unknown = new WebSocket(
        `${server.url.replace("http", "ws")}/api/collab/${crypto.randomUUID()}`,
      );
      assert.equal(await new Promise<number>((r) => unknown.onclose = (e) => r(e.code)), 4404);
    } finally {
      a.destroy();
      b.destroy();
    }
  },
});

Deno.test({
  ...collabTest,
  name: "after a server restart the document and rows are intact and a connected client resyncs",
  async fn() {
    const database = await createTestDatabase();
    const env = { PORT: String(freePort()) };
    let client: YClient | null = null;
    try {
      const before: string[] = [];
      let videoId: string;
      {
        await using server = await startTestServer(env, { jobs: false, database });
        videoId = (await createRecording(server.url, undefined, server)).id;
        client = await connectYClient(server.url, videoId);
        for (let i = 0; i < 20; i++) {
          const e = entry(i, `note ${i}`);
          client.annotations.set(e.id, e);
          before.push(e.id);
        }
        await waitFor(
          async () => (await rows(server.services.db.sql, videoId)).length === 20,
          2000,
          "rows",
        );
      }
      // The same client stays open across the restart and reconnects by itself.
      await using again = await startTestServer(env, { jobs: false, database });
      assert.equal((await rows(again.services.db.sql, videoId)).length, 20);
      const c = client;
      await waitFor(
        () => c.provider.wsconnected && c.provider.synced,
        10_000,
        "the reconnect",
      );
      const after = entry(30, "after the restart");
      c.annotations.set(after.id, after);
      await waitFor(
        async () => (await rows(again.services.db.sql, videoId)).length === 21,
        2000,
        "the new row",
      );
      const fresh = await connectYClient(again.url, videoId);
      assert.deepEqual([...fresh.annotations.keys()].sort(), [...before, after.id].sort());
      fresh.destroy();
    } finally {
      client?.destroy();
      await database.drop();
    }
  },
});

Deno.test({
  ...collabTest,
  name: "two server processes on one database: writes through both survive a restart of both",
  async fn() {
    const database = await createTestDatabase();
    const dir = await Deno.makeTempDir({ prefix: "videoflow-collab-" });
    const one = new ChildServer({ DATABASE_URL: database.url, DATA_DIR: `${dir}/one` });
    const two = new ChildServer({ DATABASE_URL: database.url, DATA_DIR: `${dir}/two` });
    try {
      await Promise.all([one.start(), two.start()]);
      const videoId =
        (await createRecording(one.url, undefined, await signIn(one.url, TEST_ACCOUNT))).id;
      const a = await connectYClient(one.url, videoId);
      const b = await connectYClient(two.url, videoId);
      for (let i = 0; i < 50; i++) {
        const ea = entry(i, `one ${i}`);
        const eb = entry(i, `two ${i}`);
        a.annotations.set(ea.id, ea);
        b.annotations.set(eb.id, eb);
      }
      // Each process sees the other's writes through the shared log.
      await waitFor(
        () => a.annotations.size === 100 && b.annotations.size === 100,
        5000,
        "cross-process sync",
      );
      a.destroy();
      b.destroy();
      await Promise.all([one.stop(), two.stop()]);

      await Promise.all([one.start(), two.start()]);
      for (const server of [one, two]) {
        const c = await connectYClient(server.url, videoId);
        assert.equal(c.annotations.size, 100);
        c.destroy();
      }
      const list = await (await fetch(`${two.url}/api/videos/${videoId}/annotations`)).json();
      assert.equal(list.length, 100);
    } finally {
      await Promise.all([one.kill(), two.kill()]);
      await database.drop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  ...collabTest,
  name: "a video with annotation rows but no log gets its document built from the rows",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const { id } = await createRecording(server.url, undefined, server);
    const { sql } = server.services.db;
    const uid = crypto.randomUUID();
    await sql`INSERT INTO annotations (video_id, uid, timestamp, content, type, author)
      VALUES (${id}, ${uid}, 2.5, 'written before live annotations', 'comment', 'Old')`;
    const client = await connectYClient(server.url, id);
    try {
      const value = client.annotations.get(uid) as {
        content: string;
        timestamp: number;
        author: string;
      };
      assert.equal(value.content, "written before live annotations");
      assert.equal(value.timestamp, 2.5);
      assert.equal(value.author, "Old");
      const [log] = await sql`SELECT count(*)::int AS n FROM yjs_updates WHERE video_id = ${id}`;
      assert.equal(log.n, 1, "the rows became the first logged update");
    } finally {
      client.destroy();
    }
  },
});

Deno.test({
  ...collabTest,
  name: "a client flooding updates is slowed down, then closed, and the room goes on",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const { id } = await createRecording(server.url, undefined, server);
    const watcher = await connectYClient(server.url, id);
    try {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/collab/${id}`);
      ws.binaryType = "arraybuffer";
      await new Promise((r) => ws.onopen = r);
      const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
      // Query-awareness messages: valid, cheap, and many.
      const msg = new Uint8Array([3]);
      for (let i = 0; i < 5000; i++) ws.send(msg);
      // Closed with 4429; a client still sending may see the close as abnormal instead.
      const code = await closed;
      assert.ok([4429, 1006, 0].includes(code), `closed with ${code}`);
      const room = await server.services.rooms.open(id);
      await waitFor(() => room!.peers.size === 1, 2000, "the flooding socket to be gone");
      const e = entry(1, "the room is fine");
      const other = await connectYClient(server.url, id);
      other.annotations.set(e.id, e);
      await waitFor(() => watcher.annotations.has(e.id), 2000, "the room to go on");
      other.destroy();
    } finally {
      watcher.destroy();
    }
  },
});
