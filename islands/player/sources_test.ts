import assert from "node:assert/strict";
import { playableSources } from "./sources.ts";

const webm = { type: 'video/webm; codecs="vp9, opus"', url: "/a.webm" };
const mp4 = { type: 'video/mp4; codecs="avc1.64001f, mp4a.40.2"', url: "/a.mp4" };

Deno.test("a browser without WebM gets only the MP4; one with both keeps the server's order", () => {
  const noWebm = (t: string) => !t.startsWith("video/webm");
  assert.deepEqual(playableSources([webm, mp4], noWebm), { sources: [mp4], playable: true });
  assert.deepEqual(playableSources([webm, mp4], () => true), {
    sources: [webm, mp4],
    playable: true,
  });
});

Deno.test("a browser that claims to play none keeps every source to try, and says so", () => {
  assert.deepEqual(playableSources([webm], () => false), { sources: [webm], playable: false });
  assert.deepEqual(playableSources([], () => true), { sources: [], playable: false });
});
