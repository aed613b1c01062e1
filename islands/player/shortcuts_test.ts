import assert from "node:assert/strict";
import { shortcutFor } from "./shortcuts.ts";

const key = (k: string, extra: Record<string, unknown> = {}) => ({
  key: k,
  metaKey: false,
  ctrlKey: false,
  altKey: false,
  isComposing: false,
  target: null,
  ...extra,
});

Deno.test("each key does what the player's hint line says", () => {
  assert.equal(shortcutFor(key(" ")), "toggle");
  assert.equal(shortcutFor(key("k")), "toggle");
  assert.deepEqual(shortcutFor(key("j")), { by: -5 });
  assert.deepEqual(shortcutFor(key("l")), { by: 5 });
  assert.deepEqual(shortcutFor(key("ArrowLeft")), { by: -1 });
  assert.deepEqual(shortcutFor(key("ArrowRight")), { by: 1 });
  assert.equal(shortcutFor(key("c")), "comment");
  assert.equal(shortcutFor(key("x")), null);
});

Deno.test("typing, chords and a focused button keep their keys", () => {
  const typing = { tagName: "TEXTAREA", isContentEditable: false, closest: () => null };
  assert.equal(shortcutFor(key("k", { target: typing })), null);
  assert.equal(shortcutFor(key("c", { ctrlKey: true })), null);
  assert.equal(shortcutFor(key("j", { isComposing: true })), null);
  const button = { tagName: "BUTTON", isContentEditable: false, closest: () => ({}) };
  assert.equal(shortcutFor(key(" ", { target: button })), null, "space presses the button");
  assert.equal(shortcutFor(key("k", { target: button })), "toggle");
});
