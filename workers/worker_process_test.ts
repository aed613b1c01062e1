import assert from "node:assert/strict";
import { createRecording, IngestClient, sendChunks } from "../lib/ingest/client.ts";
import { childEnv, startTestServer } from "../test_support/server.ts";
import { spawnWorker, startSharedS3, stopWorkers } from "../test_support/workers.ts";
import { makeWebm, splitEvenly } from "../test_support/media.ts";
import { waitForStatus } from "../test_support/helpers.ts";

Deno.test("deno task worker runs the jobs of an app that runs none itself", async () => {
  await using s3 = await startSharedS3();
  const workers: Deno.ChildProcess[] = [];
  try {
    await using server = await startTestServer(s3.env, { jobs: false });
    const worker = spawnWorker({ ...s3.env, DATABASE_URL: server.database.url });
    workers.push(worker);
    const bytes = await Deno.readFile(await makeWebm(6, 800));
    const rec = await createRecording(server.url, undefined, server);
    const client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
    await sendChunks(client, splitEvenly(bytes, 2));
    assert.equal((await client.finish(1, 6000)).type, "done");
    const ready = await waitForStatus(server.url, rec.id, "ready", 60_000);
    assert.ok(Math.abs((ready.duration as number) - 6) <= 0.5, `duration ${ready.duration}`);
    const [job] = await server.services.db.sql`
      SELECT status, locked_by FROM jobs WHERE video_id = ${rec.id} AND kind = 'remux'`;
    assert.equal(job.status, "done");
    assert.match(job.locked_by, new RegExp(`:${worker.pid}:`), "the worker process ran it");
    // Stopped before the database goes: it may still be making the guide.
    await stopWorkers(workers);
  } finally {
    await stopWorkers(workers);
  }
});

Deno.test("deno task worker refuses to run on the embedded defaults", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    env: childEnv({}),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /^deno task worker needs DATABASE_URL and S3_ENDPOINT/,
  );
});
