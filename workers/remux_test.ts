import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks } from "../lib/ingest/client.ts";
import { startJobs, startTestServer } from "../test_support/server.ts";
import { makeWebm, splitEvenly } from "../test_support/media.ts";
import { waitForStatus } from "../test_support/helpers.ts";

Deno.test({
  name: "with ffmpeg missing, the remux fails with a clear reason and the upload stays playable",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: remuxWithoutFfmpeg,
});

Deno.test("an FFMPEG_PATH that does not run stops the start with one line naming it", async () => {
  await assert.rejects(
    startTestServer({ FFMPEG_PATH: "/nonexistent/ffmpeg" }),
    /^ConfigError: FFMPEG_PATH=\/nonexistent\/ffmpeg does not run/,
  );
});

/** ffmpeg gone after the start (uninstalled, a broken mount): the job's runner is given a bad path. */
async function remuxWithoutFfmpeg() {
  await using server = await startTestServer({}, { jobOptions: { kinds: [] } });
  await using _runner = startJobs(server, ["remux"], { ffmpegPath: "/nonexistent/ffmpeg" });
  const bytes = await Deno.readFile(await makeWebm(6, 800));
  const rec = await createRecording(server.url, undefined, server);
  const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  const chunks = splitEvenly(bytes, 2);
  await sendChunks(client, chunks);
  assert.equal((await client.finish(1, 6000)).type, "done");
  const failed = await waitForStatus(server.url, rec.id, "failed");
  assert.equal(failed.error, "ffmpeg not found: install it or set FFMPEG_PATH");
  const res = await fetch(failed.playbackUrl as string);
  assert.equal(res.status, 200);
  assert.equal((await res.arrayBuffer()).byteLength, bytes.length);
  const [job] = await server.services.db
    .sql`SELECT status, attempts FROM jobs WHERE video_id = ${rec.id} AND kind = 'remux'`;
  assert.deepEqual(
    { ...job },
    { status: "failed", attempts: 1 },
    "not retried: retrying cannot help",
  );
}
