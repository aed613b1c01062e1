import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../test_support/server.ts";

/** POSTs JSON, optionally with a cookie; returns the response. */
function post(server: TestServer, path: string, body: unknown, cookie?: string) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** The `name=value` part of a response's session cookie. */
function sessionOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const m = /vf_session=([^;]*)/.exec(set);
  assert.ok(m && m[1], `a session cookie in ${set}`);
  return `vf_session=${m[1]}`;
}

async function me(server: TestServer, cookie?: string): Promise<number> {
  const res = await fetch(`${server.url}/api/me`, { headers: cookie ? { cookie } : {} });
  await res.body?.cancel();
  return res.status;
}

const ANA = { email: "Ana@Example.com", password: "correct horse battery", name: "Ana" };

Deno.test("sign up, sign in with a fresh session, sign out: cookie flags and stored hash", async () => {
  await using server = await startTestServer({}, { jobs: false });
  const signup = await post(server, "/api/auth/signup", ANA);
  assert.equal(signup.status, 201);
  const user = await signup.json();
  assert.deepEqual(Object.keys(user).sort(), ["email", "id", "name"]);
  const set = signup.headers.get("set-cookie")!;
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Lax/);
  assert.match(set, /Path=\//);
  assert.doesNotMatch(set, /Secure/, "plain HTTP here");
  const first = sessionOf(signup);
  assert.equal(await me(server, first), 200);
  assert.equal(await me(server), 401);
  assert.equal(await me(server, "vf_session=forged"), 401);

  const [row] = await server.services.db.sql`SELECT password_hash FROM users`;
  assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
  assert.ok(!row.password_hash.includes(ANA.password));
  const [stored] = await server.services.db.sql`SELECT id_hash FROM sessions`;
  assert.ok(!first.includes(stored.id_hash), "only a hash of the session id is stored");

  // Sign-in: wrong password and unknown email get the same answer; the right one a new session.
  const wrong = await post(server, "/api/auth/login", { ...ANA, password: "nope nope nope" });
  const unknown = await post(server, "/api/auth/login", { ...ANA, email: "who@example.com" });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(await wrong.json(), await unknown.json());
  const login = await post(server, "/api/auth/login", { ...ANA, email: "ana@example.COM" });
  assert.equal(login.status, 200);
  const second = sessionOf(login);
  assert.notEqual(second, first, "a fresh session id at sign-in");

  const out = await post(server, "/api/auth/logout", {}, second);
  assert.equal(out.status, 204);
  assert.match(out.headers.get("set-cookie") ?? "", /vf_session=;/);
  assert.equal(await me(server, second), 401, "the old session is invalid after sign-out");
  assert.equal(await me(server, first), 200, "other sessions go on");
});

Deno.test("sign out everywhere, expiry, validation, and the Secure flag under HTTPS", async () => {
  await using server = await startTestServer({
    PUBLIC_URL: "https://videos.example",
    RATE_LIMIT_SIGNUPS_PER_MIN: "100",
  }, {
    jobs: false,
  });
  const signup = await post(server, "/api/auth/signup", ANA);
  assert.match(signup.headers.get("set-cookie") ?? "", /Secure/);
  const a = sessionOf(signup);
  const b = sessionOf(await post(server, "/api/auth/login", ANA));
  assert.equal((await post(server, "/api/auth/logout", { everywhere: true }, a)).status, 204);
  assert.deepEqual([await me(server, a), await me(server, b)], [401, 401]);

  const c = sessionOf(await post(server, "/api/auth/login", ANA));
  await server.services.db.sql`UPDATE sessions SET expires_at = NOW() - INTERVAL '1 second'`;
  assert.equal(await me(server, c), 401, "an expired session is refused");

  const bad = [
    [{ ...ANA, email: "not-an-email" }, 400],
    [{ ...ANA, password: "short" }, 400],
    [{ ...ANA, name: "" }, 400],
    [{ ...ANA, name: "a\u0000b" }, 400],
    [{ ...ANA, email: "ANA@example.com" }, 409],
  ] as const;
  for (const [body, status] of bad) {
    const res = await post(server, "/api/auth/signup", body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.ok((await res.json()).error.message);
  }
  const [{ count }] = await server.services.db.sql`SELECT count(*)::int AS count FROM users
    WHERE lower(email) = 'ana@example.com'`;
  assert.equal(count, 1);
});

Deno.test("password guessing is slowed down by the sign-in rate limit", async () => {
  await using server = await startTestServer({ RATE_LIMIT_LOGINS_PER_MIN: "5" }, { jobs: false });
  await post(server, "/api/auth/signup", ANA);
  const statuses = [];
  for (let i = 0; i < 7; i++) {
    const res = await post(server, "/api/auth/login", { ...ANA, password: `guess number ${i}` });
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  // The right password, too, waits for the next token.
  const right = await post(server, "/api/auth/login", ANA);
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers.get("retry-after")) > 0);
});

Deno.test("the header's sign-out form ends one session, or every one", async () => {
  await using server = await startTestServer({ RATE_LIMIT_SIGNUPS_PER_MIN: "100" }, {
    jobs: false,
  });
  const a = sessionOf(await post(server, "/api/auth/signup", ANA));
  const b = sessionOf(await post(server, "/api/auth/login", ANA));
  const form = (cookie: string, body: string) =>
    fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body,
      redirect: "manual",
    });
  const one = await form(a, "");
  assert.equal(one.status, 303);
  assert.equal(one.headers.get("location"), "/");
  assert.deepEqual([await me(server, a), await me(server, b)], [401, 200]);
  const c = sessionOf(await post(server, "/api/auth/login", ANA));
  const all = await form(c, "everywhere=1");
  assert.equal(all.status, 303);
  assert.deepEqual([await me(server, b), await me(server, c)], [401, 401]);
});
