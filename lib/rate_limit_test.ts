import assert from "node:assert/strict";
import { addressKey, RateLimiter, TokenBucket } from "./rate_limit.ts";

Deno.test("a bucket allows its rate, refills steadily, and keeps clients apart", () => {
  const limiter = new RateLimiter(6); // one token every 10 s, six saved up
  const t0 = 1_000_000;
  for (let i = 0; i < 6; i++) assert.equal(limiter.take("a", t0), 0);
  assert.equal(limiter.take("a", t0), 10, "the seventh waits 10 s");
  assert.equal(limiter.take("b", t0), 0, "another client has its own bucket");
  assert.equal(limiter.take("a", t0 + 5_000), 5);
  assert.equal(limiter.take("a", t0 + 10_000), 0, "refilled after 10 s");
  assert.equal(limiter.take("a", t0 + 10_000), 10);
});

Deno.test("a limit of 0 is no limit", () => {
  const limiter = new RateLimiter(0);
  for (let i = 0; i < 1000; i++) assert.equal(limiter.take("a"), 0);
});

Deno.test("IPv6 clients are counted by their /64, IPv4 clients by their address", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8:1:2::5"), "2001:db8:1:2::/64");
});

Deno.test("a token bucket says how long to wait, and wait() slows a client down to its rate", async () => {
  const t0 = 5_000_000;
  const bucket = new TokenBucket(100, 2, t0); // a token every 10 ms, two saved up
  assert.equal(bucket.take(t0), 0);
  assert.equal(bucket.take(t0), 0);
  assert.equal(bucket.take(t0), 10, "the third waits 10 ms");
  assert.equal(bucket.take(t0 + 4), 6);

  const live = new TokenBucket(100, 1);
  const started = performance.now();
  for (let i = 0; i < 6; i++) await live.wait();
  // One was saved up; five more at 100 a second take at least 50 ms.
  assert.ok(performance.now() - started >= 45, `${performance.now() - started} ms`);
});
