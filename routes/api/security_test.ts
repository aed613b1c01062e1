import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../test_support/server.ts";
import { createRecording } from "../../lib/ingest/client.ts";
import { startSharedS3 } from "../../test_support/workers.ts";
import { rawHandshake } from "../../test_support/raw_socket.ts";

const EVIL = "https://evil.example";

/** The status of a WebSocket handshake, with an `Origin` when given. */
async function handshakeStatus(url: string, origin?: string): Promise<number> {
  return (await rawHandshake(url, origin ? { Origin: origin } : {}, 600)).status;
}

Deno.test("pages carry a CSP, no framing, no sniffing and origin-only referrers", async () => {
  await using server = await startTestServer({}, { jobs: false });
  for (const path of ["/", "/record", "/api/videos"]) {
    const res = await fetch(`${server.url}${path}`);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
  }
});

Deno.test("another site's pages can change nothing and open no socket", async () => {
  await using server = await startTestServer({ ALLOWED_ORIGINS: "https://recorder.example" }, {
    jobs: false,
  });
  const create = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/videos`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: server.cookie, ...headers },
      body: JSON.stringify({ mimeType: "video/webm" }),
    });
  const refused = await create({ origin: EVIL });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "forbidden_origin");
  assert.equal((await create({ "sec-fetch-site": "cross-site" })).status, 403);
  const [{ count }] = await server.services.db.sql`SELECT count(*)::int AS count FROM videos`;
  assert.equal(count, 0, "nothing was created");
  // The app's own pages, an allowed origin, and clients that are not browsers go through.
  const trusted: Record<string, string>[] = [
    { origin: server.url },
    { origin: "https://recorder.example" },
    {},
  ];
  for (const headers of trusted) {
    const res = await create(headers);
    await res.body?.cancel();
    assert.equal(res.status, 201, JSON.stringify(headers));
  }

  const rec = await createRecording(server.url, { mimeType: "video/webm" }, server);
  const rename = await fetch(`${server.url}/api/videos/${rec.id}`, {
    method: "PATCH",
    headers: { origin: EVIL, authorization: `Bearer ${rec.uploadToken}` },
    body: JSON.stringify({ title: "hijacked" }),
  });
  assert.equal(rename.status, 403);
  await rename.body?.cancel();
  const video = await (await fetch(`${server.url}/api/videos/${rec.id}`)).json();
  assert.equal(video.title, null);

  for (const path of [`/api/collab/${rec.id}`, `/api/videos/${rec.id}/ingest`]) {
    assert.equal(await handshakeStatus(`${server.url}${path}`, EVIL), 403, path);
    assert.equal(await handshakeStatus(`${server.url}${path}`, server.url), 101, path);
  }
});

Deno.test("starting recordings and opening sockets past a client's rate get 429", async () => {
  await using server = await startTestServer({
    RATE_LIMIT_RECORDINGS_PER_MIN: "3",
    RATE_LIMIT_SOCKETS_PER_MIN: "2",
  }, { jobs: false });
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${server.url}/api/videos`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: server.cookie },
      body: JSON.stringify({ mimeType: "video/webm" }),
    });
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.headers.get("retry-after"), "20");
      assert.equal((await res.json()).error.code, "rate_limited");
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [201, 201, 201, 429]);
  const [{ id }] = await server.services.db.sql`SELECT id FROM videos LIMIT 1`;
  const sockets = [];
  for (const path of [`/api/collab/${id}`, `/api/videos/${id}/ingest`, `/api/collab/${id}`]) {
    sockets.push(await handshakeStatus(`${server.url}${path}`));
  }
  assert.deepEqual(sockets, [101, 101, 429], "both sockets count against one limit");
});

Deno.test("behind a trusted proxy, clients are limited by the proxy's X-Forwarded-For entry", async () => {
  const env = { RATE_LIMIT_RECORDINGS_PER_MIN: "2" };
  await using proxied = await startTestServer({ ...env, TRUST_PROXY: "true" }, { jobs: false });
  await using direct = await startTestServer(env, { jobs: false });
  /** Starts a recording on `server` as coming through a proxy that sent `forwardedFor`. */
  const create = async (server: TestServer, forwardedFor: string) => {
    const res = await fetch(`${server.url}/api/videos`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: server.cookie,
        "x-forwarded-for": forwardedFor,
      },
      body: JSON.stringify({ mimeType: "video/webm" }),
    });
    await res.body?.cancel();
    return res.status;
  };
  const a = "198.51.100.1", b = "198.51.100.2";
  assert.deepEqual(
    [await create(proxied, a), await create(proxied, a), await create(proxied, a)],
    [201, 201, 429],
    "client A past its rate",
  );
  assert.equal(await create(proxied, b), 201, "client B, behind the same proxy, has its own");
  // The proxy appends the address it saw: entries before it are whatever the client sent.
  assert.equal(await create(proxied, `203.0.113.9, ${a}`), 429, "A naming another address first");
  assert.equal(await create(proxied, `${a}, 198.51.100.3`), 201, "another client naming A first");
  // Without TRUST_PROXY the header is not believed: one connection address, one limit.
  assert.deepEqual(
    [await create(direct, a), await create(direct, b), await create(direct, "198.51.100.3")],
    [201, 201, 429],
  );
});

Deno.test("an expired playback URL is refused, by S3 and by the app's own media route", async () => {
  await using s3 = await startSharedS3();
  await using direct = await startTestServer({ ...s3.env, PLAYBACK_URL_TTL_S: "10" }, {
    jobs: false,
  });
  await using embedded = await startTestServer({ PLAYBACK_URL_TTL_S: "10" }, { jobs: false });
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, "a screenshot");
  const urls: string[] = [];
  for (const server of [direct, embedded]) {
    await server.services.storage.putFile("videos/x/thumb.jpg", file, "image/jpeg");
    const url = await server.services.playback.url("videos/x/thumb.jpg", server.url);
    const fresh = await fetch(url);
    assert.equal(await fresh.text(), "a screenshot");
    urls.push(url);
  }
  assert.ok(urls[0].includes("X-Amz-Expires=10"), "an S3 pre-signed URL");
  assert.ok(urls[1].startsWith(`${embedded.url}/media/`), "an app media URL");
  await new Promise((r) => setTimeout(r, 11_500));
  for (const url of urls) {
    const expired = await fetch(url);
    assert.equal(expired.status, 403, url);
    assert.doesNotMatch(await expired.text(), /a screenshot/);
  }
  await Deno.remove(file);
});
