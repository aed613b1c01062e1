import assert from "node:assert/strict";
import { CHANGE_SHARE, frameDiff, SegmentFinder } from "./segments.ts";

const W = 160, H = 90;

/** A frame of one gray level with an optional dark rectangle (a "window" or a cursor). */
function frame(level: number, box?: { x: number; y: number; w: number; h: number }): Uint8Array {
  const f = new Uint8Array(W * H).fill(level);
  if (box) {
    for (let y = box.y; y < box.y + box.h; y++) {
      for (let x = box.x; x < box.x + box.w; x++) f[y * W + x] = 0;
    }
  }
  return f;
}

Deno.test("frameDiff counts pixels that moved past the noise level", () => {
  const a = frame(200);
  assert.equal(frameDiff(a, frame(210)), 0, "noise-level shift is no change");
  assert.equal(frameDiff(a, frame(200, { x: 0, y: 0, w: 16, h: 9 })), 0.01);
  assert.equal(frameDiff(a, frame(0)), 1);
  assert.throws(() => frameDiff(a, new Uint8Array(10)), RangeError);
});

Deno.test("one segment per screen held a second or more, timed from its first frame", () => {
  const finder = new SegmentFinder();
  const screens = [
    ...Array(6).fill(frame(230)), // 0.0–2.5 s: screen A
    ...Array(1).fill(frame(120)), // 3.0 s: a flash too short to count
    ...Array(5).fill(frame(230, { x: 20, y: 20, w: 60, h: 30 })), // 3.5–5.5 s: screen B
  ];
  const segments = [];
  screens.forEach((f, i) => {
    const s = finder.push(f, i * 0.5, i);
    if (s) segments.push(s);
  });
  const last = finder.finish();
  if (last) segments.push(last);
  assert.deepEqual(segments, [
    { start: 0, end: 2.5, frame: 5 },
    { start: 3.5, end: 5.5, frame: 11 },
  ]);
});

Deno.test("a moving cursor does not split a screen", () => {
  const finder = new SegmentFinder();
  const found = [];
  for (let i = 0; i < 20; i++) {
    // A 3×4 cursor crossing the screen: well under the change threshold.
    const s = finder.push(frame(230, { x: 5 + i * 7, y: 40, w: 3, h: 4 }), i * 0.5, i);
    if (s) found.push(s);
  }
  found.push(finder.finish());
  assert.equal(found.length, 1);
  assert.deepEqual(found[0], { start: 0, end: 9.5, frame: 19 });
  assert.ok(finder.maxSameDiff > 0 && finder.maxSameDiff < CHANGE_SHARE);
});
