import { sampleFrames } from "./lib/autodoc/frames.ts";
import { frameDiff } from "./lib/autodoc/segments.ts";
const dir = await Deno.makeTempDir();
let prev: Uint8Array | null = null;
const diffs: string[] = [];
const t = performance.now();
const n = await sampleFrames(
  { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
  Deno.args[0],
  dir,
  (f) => {
    if (prev) diffs.push(`${f.time}:${(frameDiff(prev, f.gray) * 100).toFixed(2)}`);
    prev = f.gray;
  },
);
console.log(n, performance.now() - t, diffs.join(" "));
console.log([...Deno.readDirSync(dir)].length);
