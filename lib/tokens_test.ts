import assert from "node:assert/strict";
import { hashToken, newToken, tokenMatches } from "./tokens.ts";

Deno.test("upload tokens are random, stored as hashes, and matched only exactly", () => {
  const a = newToken();
  const b = newToken();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  const stored = hashToken(a);
  assert.ok(!stored.includes(a));
  assert.equal(tokenMatches(a, stored), true);
  assert.equal(tokenMatches(b, stored), false);
  assert.equal(tokenMatches(a.slice(0, -1), stored), false);
  assert.equal(tokenMatches(undefined, stored), false);
  assert.equal(tokenMatches(42, stored), false);
  assert.equal(tokenMatches(a, null), false);
});
