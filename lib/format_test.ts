import assert from "node:assert/strict";
import { formatBytes, formatTime } from "./format.ts";

Deno.test("times and sizes read as people write them", () => {
  assert.equal(formatTime(0), "0:00");
  assert.equal(formatTime(3.9), "0:03");
  assert.equal(formatTime(75), "1:15");
  assert.equal(formatTime(3725), "1:02:05");
  assert.equal(formatTime(null), "–:––");
  assert.equal(formatTime(Infinity), "–:––");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(12_345_678), "12 MB");
  assert.equal(formatBytes(1_500), "1.5 kB");
});
