import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks, signIn } from "./lib/ingest/client.ts";
import { childEnv, ChildServer, TEST_ACCOUNT } from "./test_support/server.ts";
import { join } from "node:path";
import { makeWebm, probeMedia, splitEvenly } from "./test_support/media.ts";
import {
  uploadRecording,
  waitFor,
  waitForDoc,
  waitForRendition,
  waitForStatus,
} from "./test_support/helpers.ts";
import { CONSOLE_SLIDES, makeSlideRecording } from "./test_support/slides.ts";
import { npmPlatform } from "./lib/ffmpeg_locate.ts";

Deno.test("with no configuration, the app runs on embedded PGlite and S3, and locks its DATA_DIR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-default-" });
  const env = { DATA_DIR: `${dir}/data` };
  const server = new ChildServer(env);
  try {
    await server.start(120_000);
    const health = await (await fetch(`${server.url}/healthz`)).json();
    assert.equal(health.database.kind, "pglite");
    assert.equal(health.storage.embedded, true);

    const bytes = await Deno.readFile(await makeWebm(6, 800));
    const chunks = splitEvenly(bytes, 2);
    const rec = await createRecording(
      server.url,
      undefined,
      await signIn(server.url, TEST_ACCOUNT),
    );
    const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
    await sendChunks(client, chunks);
    assert.equal((await client.finish(chunks.length - 1, 6000)).type, "done");
    const ready = await waitForStatus(server.url, rec.id, "ready", 60_000);
    assert.ok(Math.abs((ready.duration as number) - 6) <= 0.5, `duration ${ready.duration}`);

    // The playback URL is on the app's own origin (the embedded S3's port is private) and seeks.
    const url = new URL(ready.playbackUrl as string);
    assert.equal(url.origin, server.url);
    const head = await fetch(url, { headers: { range: "bytes=0-99" } });
    assert.equal(head.status, 206);
    assert.equal((await head.arrayBuffer()).byteLength, 100);
    assert.match(head.headers.get("content-range") ?? "", /^bytes 0-99\/\d+$/);
    // The same URL with the first character of its signature changed to another one.
    const forged = new URL(url);
    const sig = forged.searchParams.get("sig")!;
    forged.searchParams.set("sig", (sig[0] === "A" ? "B" : "A") + sig.slice(1));
    assert.notEqual(forged.searchParams.get("sig"), sig);
    const refused = await fetch(forged);
    await refused.body?.cancel();
    assert.equal(refused.status, 403);

    assert.equal(ready.sizeBytes, bytes.length);

    // A second process on the same DATA_DIR is refused with one line naming it.
    const second = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
      env: childEnv({ ...env, PORT: "0" }),
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(second.code, 1);
    const message = new TextDecoder().decode(second.stderr).trim();
    assert.match(message, /^DATA_DIR=.+ is in use by another VideoFlow process/);
  } finally {
    await server.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a bad configuration value stops the start with one line naming the variable", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    env: childEnv({ INGEST_PART_BYTES: "1000", DATA_DIR: "/nonexistent/never-used" }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^INGEST_PART_BYTES=1000 is out of range/);

  const noTool = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    env: childEnv({ FFMPEG_PATH: "/nonexistent/ffmpeg" }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(noTool.code, 1);
  assert.match(
    new TextDecoder().decode(noTool.stderr).trim(),
    /^FFMPEG_PATH=\/nonexistent\/ffmpeg does not run: set it to an ffmpeg binary/,
  );
});

Deno.test("with no ffmpeg on the PATH, the app runs the bundled one: remux, thumbnail, guide and MP4", async () => {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-noffmpeg-" });
  const rec = await makeSlideRecording(CONSOLE_SLIDES.slice(0, 3));
  // An empty PATH: no ffmpeg, no ffprobe, nothing else either.
  const emptyBin = join(dir, "bin");
  await Deno.mkdir(emptyBin);
  const stdout = join(dir, "stdout.log");
  const server = new ChildServer({ DATA_DIR: join(dir, "data"), PATH: emptyBin }, {
    stdoutPath: stdout,
  });
  try {
    await server.start(120_000);
    // The start line says which ffmpeg runs.
    const line = new RegExp(
      `^VideoFlow on http://localhost:\\d+ \\(.*; ffmpeg \\S+ from npm @ffmpeg-installer/${npmPlatform()} \\(build `,
    );
    const named = await waitFor(async () => line.test(await Deno.readTextFile(stdout)), 5000)
      .catch(() => false);
    assert.ok(named, `start line missing: ${await Deno.readTextFile(stdout).catch(() => "")}`);
    const session = await signIn(server.url, TEST_ACCOUNT);
    const { id } = await uploadRecording({ url: server.url, cookie: session.cookie }, rec.path);
    const ready = await waitForStatus(server.url, id, "ready", 90_000);
    assert.ok(Math.abs((ready.duration as number) - rec.duration) <= 0.5, `${ready.duration}`);
    const thumb = await fetch(ready.thumbnailUrl as string);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get("content-type"), "image/jpeg");
    assert.ok((await thumb.arrayBuffer()).byteLength > 1000);

    await waitForDoc(server.url, id, "done", 180_000);
    const doc = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    assert.deepEqual(
      doc.steps.map((s: { title: string }) => s.title),
      rec.slides.map((s) => s.heading),
    );

    const done = await waitForRendition(server.url, id, "done", 180_000);
    const mp4 = (done.sources as { type: string; url: string }[]).find((s) =>
      s.type.startsWith("video/mp4")
    );
    assert.ok(mp4, JSON.stringify(done.sources));
    const file = join(dir, "r.mp4");
    await Deno.writeFile(file, new Uint8Array(await (await fetch(mp4.url)).arrayBuffer()));
    const probed = await probeMedia(file);
    assert.deepEqual(probed.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
    assert.ok(Math.abs(probed.duration - rec.duration) <= 0.2, `${probed.duration}`);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
