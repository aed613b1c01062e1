/**
 * Property-based: random JSON, strings and bytes thrown at every API route and at both sockets
 * never get a 5xx, never crash the server, and never touch a recording streaming at the same time.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { createRecording, IngestClient, sendChunks, signIn } from "../../lib/ingest/client.ts";
import { startTestServer } from "../../test_support/server.ts";
import { makeWebm, sha256, splitEvenly } from "../../test_support/media.ts";
import { originalKey, readObject, within } from "../../test_support/helpers.ts";
import { rawHandshake } from "../../test_support/raw_socket.ts";
import {
  connectionGone,
  type SocketSpy,
  spyOnServerSockets,
} from "../../test_support/socket_spy.ts";

/** Every API route, with `{id}` for a video and `{uid}` for an annotation or step. */
const ROUTES: [string, string][] = [
  ["GET", "/api/videos"],
  ["POST", "/api/videos"],
  ["GET", "/api/videos/{id}"],
  ["PATCH", "/api/videos/{id}"],
  ["DELETE", "/api/videos/{id}"],
  ["PUT", "/api/videos/{id}/chunks/{n}"],
  ["POST", "/api/videos/{id}/finish"],
  ["POST", "/api/videos/{id}/cancel"],
  ["GET", "/api/videos/{id}/annotations"],
  ["POST", "/api/videos/{id}/annotations"],
  ["DELETE", "/api/videos/{id}/annotations/{uid}"],
  ["GET", "/api/videos/{id}/doc"],
  ["GET", "/api/videos/{id}/doc.md"],
  ["POST", "/api/videos/{id}/doc"],
  ["GET", "/api/videos/{id}/steps/{n}.jpg"],
  ["PATCH", "/api/videos/{id}/steps/{uid}"],
  ["DELETE", "/api/videos/{id}/steps/{uid}"],
  ["PUT", "/api/videos/{id}/steps"],
  ["GET", "/api/search?q={text}"],
  ["GET", "/v/{id}?t={text}"],
  ["GET", "/v/{id}/doc"],
  ["GET", "/?q={text}"],
  ["GET", "/media/{text}?exp={n}&sig={text}"],
  ["GET", "/healthz"],
  ["POST", "/api/auth/signup"],
  ["POST", "/api/auth/login"],
  ["POST", "/api/auth/logout"],
  ["GET", "/api/me"],
  ["GET", "/login?next={text}"],
  ["GET", "/signup?next={text}"],
  ["GET", "/record"],
];

const idArb = (ids: string[]) =>
  fc.oneof(
    ...(ids.length > 0 ? [fc.constantFrom(...ids)] : []),
    fc.uuid(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom("..", "%00", "%2e%2e%2f", "'; DROP TABLE videos; --", "0".repeat(300)),
  );

const bodyArb = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({
    title: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
    mimeType: fc.constantFrom("video/webm", "video/mp4;codecs=avc1", "text/html", ""),
    timestamp: fc.oneof(fc.double(), fc.integer(), fc.string()),
    content: fc.string({ maxLength: 6000 }),
    text: fc.string({ maxLength: 100 }),
    ids: fc.array(fc.uuid(), { maxLength: 5 }),
    type: fc.constantFrom("comment", "step", "virus"),
    email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 300 })),
    password: fc.string({ maxLength: 300 }),
    name: fc.string({ maxLength: 100 }),
    visibility: fc.constantFrom("private", "link", "public", ""),
    everywhere: fc.oneof(fc.boolean(), fc.string()),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 2048 }).map((b) => new TextDecoder().decode(b)),
  fc.constant(""),
);

/**
 * The close codes the server may end a fuzzed socket with: a finished or cancelled ingest (1000),
 * a message that is not the protocol (4400), a wrong upload token (4401), an unknown or private
 * video (4404), a finished recording (4409), too many bytes waiting (4413) and a flood (4429).
 * Not a server error (1011), a storage failure (4503), nor a connection dropped without a close.
 */
const SERVER_CLOSES = new Set([1000, 4400, 4401, 4404, 4409, 4413, 4429]);
/** The fuzzer's own close, when the server has not closed first. */
const FUZZER_CLOSE = 4000;

/** How a fuzzed socket ended ("refused", a server close code, or "fuzzer"), and what was wrong. */
interface SocketEnd {
  end: string;
  problem: string | null;
}

/**
 * Opens a socket to `url`, sends `messages` while it is open, then closes it (4000) unless the
 * server did. A problem is a handshake refused with other than a 4xx, a close code the server
 * should not use, or a socket that ended otherwise than the server closed it.
 */
async function fuzzSocket(
  url: string,
  messages: (string | Uint8Array)[],
  spy: SocketSpy,
): Promise<SocketEnd> {
  const upgradedBefore = spy.sockets.length;
  const ws = new WebSocket(url.replace(/^http/, "ws"));
  ws.binaryType = "arraybuffer";
  let error: string | null = null;
  ws.onerror = (e) => error = (e as ErrorEvent).message ?? "error";
  const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
  const opened = await within(
    Promise.race([
      new Promise<boolean>((r) => ws.onopen = () => r(true)),
      closed.then(() => false),
    ]),
    10_000,
    `${url} to open or close`,
  );
  if (!opened) {
    // The WebSocket API does not tell why: the same handshake, made raw, does.
    const { status } = await rawHandshake(url, {}, 100);
    const refused = status >= 400 && status < 500 && spy.sockets.length === upgradedBefore;
    return { end: "refused", problem: refused ? null : `not opened (HTTP ${status})` };
  }
  for (const m of messages) if (ws.readyState === WebSocket.OPEN) ws.send(m);
  await new Promise((r) => setTimeout(r, 20));
  if (ws.readyState === WebSocket.OPEN) ws.close(FUZZER_CLOSE, "the fuzzer is done");
  const code = await within(closed, 10_000, `${url} to close`);
  const server = spy.sockets[upgradedBefore];
  if (!server || spy.sockets.length !== upgradedBefore + 1) {
    return { end: "?", problem: "not one server socket for one client" };
  }
  if (server.closedWith === null) {
    const ok = code === FUZZER_CLOSE && !error;
    return { end: "fuzzer", problem: ok ? null : `ended with ${code} (${error}), not by us` };
  }
  const end = String(server.closedWith);
  if (!SERVER_CLOSES.has(server.closedWith)) {
    return { end, problem: `the server closed with ${end}` };
  }
  // The client sees the server's code, or its own when both closed at once; or, still sending as
  // the server closed, the connection gone (see socket_spy.ts): only after the server's own close.
  if (!error && (code === server.closedWith || code === FUZZER_CLOSE)) {
    return { end, problem: null };
  }
  if (connectionGone(error) && code === 0) return { end, problem: null };
  return { end, problem: `the server closed with ${end}, the client saw ${code} (${error})` };
}

Deno.test({
  name: "random requests and socket messages get no 5xx and leave a live recording intact",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    // A recording streaming all along, whose bytes must come out exactly as sent.
    const bytes = await Deno.readFile(await makeWebm(12, 800));
    const chunks = splitEvenly(bytes, 12);
    const live = await createRecording(server.url, undefined, server);
    const client = await IngestClient.connect(live.ingestUrl, live.uploadToken);
    let sent = 0;
    const streaming = (async () => {
      for (; sent < chunks.length - 1; sent++) {
        await sendChunks(client, chunks.slice(0, sent + 1), sent);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    // A second video whose owner token the fuzzer uses, so owner paths see random input too.
    // The live recording must survive whatever is thrown, so its owner's session is not thrown:
    // the fuzzer signs in as someone else, who owns only the sandbox.
    const fuzzer = await signIn(server.url, {
      email: "fuzz@example.com",
      password: "a long fuzzing password",
      name: "Fuzz",
    });
    const sandbox = await createRecording(server.url, { mimeType: "video/webm" }, fuzzer);
    const ids = [live.id, sandbox.id];
    const fails: string[] = [];
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        idArb(ids),
        idArb([]),
        fc.oneof(fc.nat(), fc.integer(), fc.string({ maxLength: 8 })),
        fc.string({ maxLength: 60 }),
        bodyArb,
        fc.constantFrom("application/json", "text/plain", "application/octet-stream", "x/y"),
        fc.constantFrom(sandbox.uploadToken, "", "garbage", live.id),
        fc.constantFrom(fuzzer.cookie, "", "vf_session=forged"),
        async ([method, template], id, uid, n, text, body, type, token, cookie) => {
          const path = template.replace("{id}", encodeURIComponent(id))
            .replace("{uid}", encodeURIComponent(uid)).replace("{n}", encodeURIComponent(String(n)))
            .replaceAll("{text}", encodeURIComponent(text));
          const res = await fetch(`${server.url}${path}`, {
            method,
            headers: { "content-type": type, authorization: `Bearer ${token}`, cookie },
            body: method === "GET" || method === "HEAD" ? undefined : body,
          });
          await res.body?.cancel();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) fails.push(`${method} ${path} → ${res.status}`);
          return res.status < 500;
        },
      ),
      { numRuns: 1000 },
    );

    // Sockets: random frames to both, for the live video and others. Each socket must end as the
    // server chose, with a code it uses for a reason (or the fuzzer's own close), never a server
    // error or a dropped connection; a refused handshake must be a 4xx.
    const ends = new Map<string, number>();
    using spy = spyOnServerSockets();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("collab", "ingest"),
        idArb(ids),
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 512 }),
            fc.string({ maxLength: 200 }),
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
            fc.record({
              type: fc.constantFrom("hello", "finish", "cancel", "ping"),
              token: fc.string(),
              lastSeq: fc.integer(),
              seq: fc.integer(),
            }).map((v) => JSON.stringify(v)),
          ),
          { maxLength: 8 },
        ),
        async (kind, id, messages) => {
          const path = kind === "collab"
            ? `/api/collab/${encodeURIComponent(id)}`
            : `/api/videos/${encodeURIComponent(id)}/ingest`;
          const { end, problem } = await fuzzSocket(`${server.url}${path}`, messages, spy);
          assert.equal(problem, null, path);
          ends.set(`${kind} ${end}`, (ends.get(`${kind} ${end}`) ?? 0) + 1);
        },
      ),
      { numRuns: 200 },
    );
    console.log("socket ends:", Object.fromEntries([...ends].sort()));
    assert.ok(
      [...ends.keys()].some((k) => k.startsWith("collab 44")) &&
        [...ends.keys()].some((k) => k.startsWith("ingest 44")),
      "the server closed sockets of both kinds itself",
    );
    assert.deepEqual(fails, []);
    console.log("statuses:", Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])));

    // Still healthy, and the recording finishes with every byte as sent.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    await streaming;
    await sendChunks(client, chunks, chunks.length - 1);
    assert.equal((await client.finish(chunks.length - 1, 12_000)).type, "done");
    const stored = await readObject(server.services.storage, originalKey(live.id));
    assert.equal(sha256(stored), sha256(bytes));
  },
});
