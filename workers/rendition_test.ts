import assert from "node:assert/strict";
import { join } from "node:path";
import { startJobs, startTestServer } from "../test_support/server.ts";
import { makeH264, makeWebm, probeMedia, topLevelBoxes } from "../test_support/media.ts";
import {
  getVideoJson,
  uploadRecording,
  waitFor,
  waitForRendition,
  waitForStatus,
} from "../test_support/helpers.ts";
import { renditionArgs, renditionFilter, renditionKey, renditionSize } from "./rendition.ts";
import { ffmpeg, ffmpegAbilities, probeStreams } from "../lib/ffmpeg.ts";
import { bundledTool, locateTools } from "../lib/ffmpeg_locate.ts";

type Source = { type: string; url: string };
type Rendition = { status: string | null; error: string | null };

async function download(url: string, path: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  await Deno.writeFile(path, new Uint8Array(await res.arrayBuffer()));
  return path;
}

function fps(rate: string | undefined): number {
  const [n, d] = (rate ?? "0/1").split("/").map(Number);
  return d ? n / d : 0;
}

Deno.test("a VP8/Opus recording gets an H.264/AAC MP4 beside it: moov first, same size, rate and duration", async () => {
  await using server = await startTestServer({ RENDITIONS: "true" });
  const dir = await Deno.makeTempDir({ prefix: "videoflow-rendition-test-" });
  try {
    const { id } = await uploadRecording(server, await makeWebm(6, 800));
    const ready = await waitForStatus(server.url, id, "ready");
    // The WebM plays at once; the MP4 follows.
    assert.ok(["pending", "running", "done"].includes((ready.rendition as Rendition).status!));
    const first = ready.sources as Source[];
    assert.ok(first.length >= 1);
    assert.equal(
      first.find((s) => s.type.startsWith("video/webm"))?.type,
      'video/webm; codecs="vp8, opus"',
    );

    const done = await waitForRendition(server.url, id, "done");
    const sources = done.sources as Source[];
    assert.equal(sources.length, 2);
    const webm = sources.find((s) => s.type.startsWith("video/webm"))!;
    const mp4 = sources.find((s) => s.type.startsWith("video/mp4"))!;
    assert.match(mp4.type, /^video\/mp4; codecs="avc1\.6400[0-9a-f]{2}, mp4a\.40\.2"$/);
    assert.equal(done.playbackUrl !== null, true, "the WebM's URL stays the playback URL");

    const webmPath = await download(webm.url, join(dir, "v.webm"));
    const mp4Path = await download(mp4.url, join(dir, "v.mp4"));
    // Smallest first: a browser that plays both fetches fewer bytes.
    const [webmSize, mp4Size] = [(await Deno.stat(webmPath)).size, (await Deno.stat(mp4Path)).size];
    assert.equal(sources[0], webmSize <= mp4Size ? webm : mp4);

    const boxes = await topLevelBoxes(mp4Path);
    assert.ok(
      boxes.indexOf("moov") >= 0 && boxes.indexOf("moov") < boxes.indexOf("mdat"),
      `boxes ${boxes}`,
    );
    const [a, b] = [await probeMedia(webmPath), await probeMedia(mp4Path)];
    const video = b.streams.find((s) => s.codec_type === "video")!;
    const source = a.streams.find((s) => s.codec_type === "video")!;
    assert.equal(video.codec_name, "h264");
    assert.equal(b.streams.find((s) => s.codec_type === "audio")?.codec_name, "aac");
    assert.deepEqual([video.width, video.height], [source.width, source.height]);
    assert.ok(fps(video.avg_frame_rate) <= 30.01, `frame rate ${video.avg_frame_rate}`);
    assert.ok(
      Math.abs(a.duration - b.duration) <= 0.1,
      `durations ${a.duration} and ${b.duration}`,
    );

    // Deleting the video deletes the rendition too.
    const del = await fetch(`${server.url}/api/videos/${id}`, {
      method: "DELETE",
      headers: { cookie: server.cookie },
    });
    assert.equal(del.status, 204);
    await assert.rejects(server.services.storage.get(renditionKey(id)));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("an MP4 already H.264/AAC (Safari's recorder) gets no second file", async () => {
  await using server = await startTestServer({ RENDITIONS: "true" });
  const { id } = await uploadRecording(server, await makeH264(4, "aac"), {
    mimeType: "video/mp4",
  });
  await waitForStatus(server.url, id, "ready");
  // The guide's job is queued with the rendition's, were there one: once it ends, nothing follows.
  await waitFor(
    async () => {
      const [job] = await server.services.db
        .sql`SELECT status FROM jobs WHERE video_id = ${id} AND kind = 'autodoc'`;
      return job && job.status !== "queued" && job.status !== "running";
    },
    60_000,
    "the guide's job",
  );
  const v = await getVideoJson(server.url, id);
  assert.deepEqual(v.rendition, { status: null, error: null });
  const sources = v.sources as Source[];
  assert.equal(sources.length, 1);
  assert.match(sources[0].type, /^video\/mp4; codecs="avc1\.[0-9a-f]{6}, mp4a\.40\.2"$/);
  const jobs = await server.services.db
    .sql`SELECT kind FROM jobs WHERE video_id = ${id} AND kind = 'rendition'`;
  assert.equal(jobs.length, 0);
  await assert.rejects(server.services.storage.get(renditionKey(id)));
});

Deno.test("H.264 with Opus (Chrome's h264 WebM): the video is copied, only the sound becomes AAC", async () => {
  await using server = await startTestServer({ RENDITIONS: "true" });
  const dir = await Deno.makeTempDir({ prefix: "videoflow-rendition-test-" });
  try {
    const { id } = await uploadRecording(server, await makeH264(4, "opus"), {
      mimeType: "video/webm;codecs=h264,opus",
    });
    await waitForStatus(server.url, id, "ready");
    const done = await waitForRendition(server.url, id, "done");
    const mp4 = (done.sources as Source[]).find((s) => /mp4a/.test(s.type))!;
    const probed = await probeMedia(await download(mp4.url, join(dir, "r.mp4")));
    assert.deepEqual(probed.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("RENDITIONS=false: no rendition is queued", async () => {
  await using server = await startTestServer({ RENDITIONS: "false" });
  const { id } = await uploadRecording(server, await makeWebm(4, 400));
  const ready = await waitForStatus(server.url, id, "ready");
  assert.deepEqual(ready.rendition, { status: null, error: null });
  assert.equal((ready.sources as Source[]).length, 1);
  const jobs = await server.services.db
    .sql`SELECT kind FROM jobs WHERE video_id = ${id} AND kind = 'rendition'`;
  assert.equal(jobs.length, 0);
});

Deno.test({
  name: "without ffmpeg the rendition fails for good with the reason; the WebM still plays",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using server = await startTestServer({ RENDITIONS: "true" }, {
      jobOptions: { kinds: ["remux", "autodoc"] },
    });
    const { id } = await uploadRecording(server, await makeWebm(4, 400));
    await waitForStatus(server.url, id, "ready");
    const runner = startJobs(server, ["rendition"], { ffmpegPath: "/nonexistent/ffmpeg" });
    try {
      const v = await waitForRendition(server.url, id, "failed");
      // Anyone with the link learns it failed; only the owner reads why.
      assert.deepEqual(v.rendition, {
        status: "failed",
        error: "the version for browsers without WebM could not be made",
      });
      const owned = await (await fetch(`${server.url}/api/videos/${id}`, {
        headers: { cookie: server.cookie },
      })).json();
      assert.deepEqual(owned.rendition, {
        status: "failed",
        error: "ffmpeg not found: install it or set FFMPEG_PATH",
      });
      assert.equal(v.status, "ready");
      const sources = v.sources as Source[];
      assert.equal(sources.length, 1);
      assert.equal((await fetch(sources[0].url)).status, 200);
      const [job] = await server.services.db
        .sql`SELECT status, attempts FROM jobs WHERE video_id = ${id} AND kind = 'rendition'`;
      assert.deepEqual({ ...job }, { status: "failed", attempts: 1 });
    } finally {
      await runner.stop();
    }
  },
});

Deno.test("the rendition keeps the frame size, scaled down only to fit 1080p, both sides even", () => {
  assert.deepEqual(renditionSize(1280, 720), { width: 1280, height: 720 });
  assert.deepEqual(renditionSize(1920, 1080), { width: 1920, height: 1080 });
  assert.deepEqual(renditionSize(2880, 1800), { width: 1728, height: 1080 });
  assert.deepEqual(renditionSize(3840, 2160), { width: 1920, height: 1080 });
  assert.deepEqual(renditionSize(1080, 2340), { width: 886, height: 1920 });
  assert.deepEqual(renditionSize(641, 361), { width: 640, height: 360 });
});

const NEW_FFMPEG = { vfrArgs: ["-fps_mode:v", "vfr"], libx264: true };
const OLD_FFMPEG = { vfrArgs: ["-vsync", "vfr"], libx264: true };

Deno.test("what is already H.264 or AAC is copied, not encoded again; silence stays silent", () => {
  const h264 = { codec: "h264", profile: "High", level: 31, width: 1280, height: 720, rotation: 0 };
  const vp9 = { ...h264, codec: "vp9", profile: null, level: null };
  const aac = { codec: "aac", profile: "LC" };
  const copyAll = renditionArgs("in", "out.mp4", { video: h264, audio: aac }, NEW_FFMPEG);
  assert.equal(copyAll[copyAll.indexOf("-c:v") + 1], "copy");
  assert.equal(copyAll[copyAll.indexOf("-c:a") + 1], "copy");
  assert.ok(!copyAll.includes("-vf"), "a copied stream is not filtered");
  const encode = renditionArgs("in", "out.mp4", { video: vp9, audio: null }, NEW_FFMPEG);
  assert.equal(encode[encode.indexOf("-c:v") + 1], "libx264");
  assert.equal(encode[encode.indexOf("-level:v") + 1], "4.2", "a level phones accept");
  assert.ok(encode.includes("-an"));
  assert.ok(!encode.includes("0:a:0"));
  assert.ok(encode.includes("+faststart"));
  // The frame-rate option each ffmpeg knows: 9 dropped -vsync, 4.1 has no -fps_mode.
  assert.deepEqual(encode.slice(encode.indexOf("-fps_mode:v"), encode.indexOf("-fps_mode:v") + 2), [
    "-fps_mode:v",
    "vfr",
  ]);
  const old = renditionArgs("in", "out.mp4", { video: vp9, audio: null }, OLD_FFMPEG);
  assert.ok(old.includes("-vsync") && !old.includes("-fps_mode:v"));
});

Deno.test("frames are fitted upright into the first frame's size, padded rather than stretched", () => {
  const base = { codec: "vp9", profile: null, level: null, rotation: 0 };
  assert.equal(
    renditionFilter({ ...base, width: 2880, height: 1800 }),
    "scale=1728:1080:force_original_aspect_ratio=decrease,pad=1728:1080:(ow-iw)/2:(oh-ih)/2,setsar=1",
  );
  // A phone video stored sideways with a rotation: ffmpeg turns it upright before the filter.
  assert.match(
    renditionFilter({ ...base, width: 1920, height: 1080, rotation: 90 }),
    /^scale=1080:1920:/,
  );
  assert.match(
    renditionFilter({ ...base, width: 1920, height: 1080, rotation: 270 }),
    /^scale=1080:1920:/,
  );
  assert.match(
    renditionFilter({ ...base, width: 1920, height: 1080, rotation: 180 }),
    /^scale=1920:1080:/,
  );
  // Unknown size: only made even.
  assert.equal(
    renditionFilter({ ...base, width: 0, height: 0 }),
    "scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1",
  );
});

Deno.test("Debian's ffmpeg and the bundled build both keep a variable frame rate frame for frame", async () => {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-vfr-" });
  try {
    const input = await makeVfrWebm();
    const located = await locateTools({ ffmpegPath: null, ffprobePath: null, dataDir: dir });
    const [mpeg, probe] = [await bundledTool("ffmpeg", dir), await bundledTool("ffprobe", dir)];
    assert.ok(mpeg && probe, "the bundled build is installed");
    const builds = { path: located, bundled: { ffmpegPath: mpeg.path, ffprobePath: probe.path } };
    const source = await countFrames(input);
    for (const [name, tools] of Object.entries(builds)) {
      const output = join(dir, `${name}.mp4`);
      const streams = await probeStreams(tools, input);
      await ffmpeg(tools, renditionArgs(input, output, streams, await ffmpegAbilities(tools)));
      const [a, b] = [await probeMedia(input), await probeMedia(output)];
      assert.deepEqual(b.streams.map((s) => s.codec_name).sort(), ["aac", "h264"], name);
      assert.equal(await countFrames(output), source, `${name}: no frame added or dropped`);
      assert.ok(
        Math.abs(a.duration - b.duration) <= 0.1,
        `${name}: ${a.duration} vs ${b.duration}`,
      );
      const boxes = await topLevelBoxes(output);
      assert.ok(boxes.indexOf("moov") < boxes.indexOf("mdat"), `${name}: ${boxes}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** Video frames in a file, by ffprobe. */
async function countFrames(path: string): Promise<number> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-select_streams", "v:0", "-count_packets"],
      ...["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path],
    ],
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

/**
 * A WebM whose frames come irregularly, as MediaRecorder's do when the screen is still: 30 fps
 * with two thirds of the frames of every second left out, timestamps kept.
 */
async function makeVfrWebm(): Promise<string> {
  const path = join(Deno.env.get("TMPDIR") ?? "/tmp", "videoflow-test-media", "vfr-6s.webm");
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return path;
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "6"],
      ...["-vf", "select='lt(mod(n\\,30)\\,10)'", "-fps_mode", "vfr"],
      ...["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k"],
      ...["-c:a", "libopus", "-f", "webm", "-y", tmp],
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("ffmpeg failed making the VFR fixture");
  await Deno.rename(tmp, path);
  return path;
}
