import assert from "node:assert/strict";
import { framePath, SAMPLE_FPS, sampleFrames, SMALL_HEIGHT, SMALL_WIDTH } from "./frames.ts";
import { CHANGE_SHARE, frameDiff } from "./segments.ts";
import { imageSize } from "./ocr.ts";
import { ToolMissingError } from "../ffmpeg.ts";
import { CONSOLE_SLIDES, makeSlideRecording } from "../../test_support/slides.ts";

const tools = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" };

Deno.test("one ffmpeg pass gives small gray frames at 2 fps and a full-size JPEG beside each", async () => {
  const rec = await makeSlideRecording(CONSOLE_SLIDES.slice(0, 2), { secondsPerSlide: 4 });
  const dir = await Deno.makeTempDir({ prefix: "videoflow-frames-" });
  try {
    const frames: { time: number; gray: Uint8Array }[] = [];
    const count = await sampleFrames(tools, rec.path, dir, (f) => {
      assert.equal(f.index, frames.length);
      frames.push({ time: f.time, gray: f.gray });
    });
    assert.equal(count, rec.duration * SAMPLE_FPS);
    assert.equal(frames[3].time, 1.5);
    assert.ok(frames.every((f) => f.gray.length === SMALL_WIDTH * SMALL_HEIGHT));
    // The slide changes at 4 s: frame 8 differs from frame 7 past the threshold, 7 from 6 not.
    assert.ok(frameDiff(frames[7].gray, frames[8].gray) >= CHANGE_SHARE);
    assert.ok(frameDiff(frames[6].gray, frames[7].gray) < CHANGE_SHARE);
    const jpeg = await Deno.readFile(framePath(dir, 8));
    assert.deepEqual(imageSize(jpeg), { width: 1280, height: 720 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing ffmpeg is named with the variable to set", async () => {
  await assert.rejects(
    sampleFrames({ ...tools, ffmpegPath: "/nonexistent/ffmpeg" }, "x.webm", "/tmp", () => {}),
    (err: Error) =>
      err instanceof ToolMissingError &&
      err.message === "ffmpeg not found: install it or set FFMPEG_PATH",
  );
});

Deno.test("a file that is not a video fails with ffmpeg's reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-frames-" });
  try {
    await Deno.writeTextFile(`${dir}/junk.webm`, "not a video at all");
    await assert.rejects(
      sampleFrames(tools, `${dir}/junk.webm`, dir, () => {}),
      /ffmpeg could not decode the video/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
