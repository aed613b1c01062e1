import assert from "node:assert/strict";
import { invalidEntry } from "./entry.ts";

const id = "5c0a4d8e-3b1f-4c2a-9d7e-1f2a3b4c5d6e";
const good = {
  id,
  timestamp: 3,
  content: "hi",
  type: "comment",
  author: "Ana",
  createdAt: "2026-01-01T00:00:00Z",
};

const step = {
  title: "Create a project",
  text: "Name it.",
  imageKey: null,
  confidence: 0.9,
  position: 1,
};

Deno.test("a well-formed annotation passes; each broken field is named", () => {
  assert.equal(invalidEntry(id, good, 10), null);
  assert.equal(invalidEntry(id, { ...good, type: "step", data: step }, 10), null);
  assert.equal(invalidEntry(id, { ...good, author: null, data: { x: 1 } }, null), null);
  const cases: [string, unknown, RegExp][] = [
    ["not-a-uuid", { ...good, id: "not-a-uuid" }, /uuid/],
    [id, "text", /object/],
    [id, { ...good, id: crypto.randomUUID() }, /id differs/],
    [id, { ...good, timestamp: "3" }, /timestamp/],
    [id, { ...good, timestamp: -1 }, /timestamp/],
    [id, { ...good, timestamp: 99 }, /past the end/],
    [id, { ...good, content: "x".repeat(5001) }, /content/],
    [id, { ...good, type: "virus" }, /type/],
    [id, { ...good, createdAt: "yesterday" }, /createdAt/],
    [id, { ...good, data: { blob: "x".repeat(10_001) } }, /too large/],
    [id, { ...good, type: "step" }, /data is not an object/],
    [id, { ...good, content: "a\u0000b" }, /NUL/],
    [id, { ...good, type: "step", data: { ...step, junk: "x".repeat(10_001) } }, /too large/],
    [id, { ...good, type: "step", data: { ...step, title: "x".repeat(201) } }, /title/],
    [id, { ...good, type: "step", data: { ...step, text: 7 } }, /text/],
    [id, { ...good, type: "step", data: { ...step, imageKey: {} } }, /imageKey/],
    [id, { ...good, type: "step", data: { ...step, position: "1" } }, /position/],
  ];
  for (const [key, value, reason] of cases) {
    assert.match(invalidEntry(key, value, 10) ?? "", reason);
  }
});
