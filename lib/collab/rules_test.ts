import assert from "node:assert/strict";
import { type EntryRule, reviewChange } from "./rules.ts";

const key = "5c0a4d8e-3b1f-4c2a-9d7e-1f2a3b4c5d6e";
const comment = {
  id: key,
  timestamp: 3,
  content: "hi",
  type: "comment",
  author: "Ana",
  createdAt: "2026-01-01T00:00:00Z",
};
const step = {
  ...comment,
  type: "step",
  data: { title: "Create a project", text: "", imageKey: null, confidence: 0.9, position: 1 },
};
const ctx = { duration: 10, peer: "a client" };

Deno.test("a client's comment, its edit and its removal pass", () => {
  assert.equal(reviewChange({ key, before: undefined, after: comment }, ctx), null);
  assert.equal(
    reviewChange({ key, before: comment, after: { ...comment, content: "ho" } }, ctx),
    null,
  );
  assert.equal(reviewChange({ key, before: comment, after: undefined }, ctx), null);
});

Deno.test("a step added, edited or removed by a client is refused, as is a broken entry", () => {
  assert.match(reviewChange({ key, before: undefined, after: step }, ctx)!, /steps/);
  assert.match(
    reviewChange({ key, before: step, after: { ...step, content: "x" } }, ctx)!,
    /steps/,
  );
  assert.match(reviewChange({ key, before: step, after: undefined }, ctx)!, /steps/);
  assert.match(
    reviewChange({ key, before: comment, after: { ...comment, timestamp: "3" } }, ctx)!,
    /timestamp/,
  );
  assert.match(
    reviewChange({ key, before: undefined, after: { ...comment, timestamp: 99 } }, ctx)!,
    /timestamp/,
  );
});

Deno.test("rules are asked in order and see who sent the change", () => {
  const seen: unknown[] = [];
  const onlyAna: EntryRule = (_change, c) => {
    seen.push(c.peer);
    return c.peer === "Ana" ? null : "only Ana may write";
  };
  assert.equal(
    reviewChange({ key, before: undefined, after: comment }, { ...ctx, peer: "Ana" }, [onlyAna]),
    null,
  );
  assert.equal(
    reviewChange({ key, before: undefined, after: comment }, ctx, [onlyAna]),
    "only Ana may write",
  );
  assert.deepEqual(seen, ["Ana", "a client"]);
});
