import assert from "node:assert/strict";
import { hashUploadToken, newUploadToken, uploadTokenMatches } from "./token.ts";

Deno.test("upload tokens are random, stored as hashes, and matched only exactly", () => {
  const a = newUploadToken();
  const b = newUploadToken();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  const stored = hashUploadToken(a);
  assert.ok(!stored.includes(a));
  assert.equal(uploadTokenMatches(a, stored), true);
  assert.equal(uploadTokenMatches(b, stored), false);
  assert.equal(uploadTokenMatches(a.slice(0, -1), stored), false);
  assert.equal(uploadTokenMatches(undefined, stored), false);
  assert.equal(uploadTokenMatches(42, stored), false);
  assert.equal(uploadTokenMatches(a, null), false);
});
