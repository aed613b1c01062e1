import assert from "node:assert/strict";
import postgres from "postgres";
import { createRecording, IngestClient, sendChunks, signIn } from "../../lib/ingest/client.ts";
import { startEmbeddedS3 } from "../../lib/storage/embedded.ts";
import { Storage } from "../../lib/storage/s3.ts";
import { createTestDatabase } from "../../test_support/db.ts";
import { ChildServer, TEST_ACCOUNT } from "../../test_support/server.ts";
import { seededRandom, sha256, splitEvenly } from "../../test_support/media.ts";
import { originalKey, readObject, waitFor } from "../../test_support/helpers.ts";

const MiB = 1024 * 1024;

Deno.test("a server killed mid-recording restarts and the recorder resumes, byte-identical", async () => {
  const database = await createTestDatabase();
  const dir = await Deno.makeTempDir({ prefix: "videoflow-restart-" });
  const s3 = await startEmbeddedS3(`${dir}/s3`, "videoflow", ["*"]);
  const storage = new Storage(s3.endpoint);
  const server = new ChildServer({
    DATABASE_URL: database.url,
    DATA_DIR: `${dir}/data`,
    S3_ENDPOINT: s3.endpoint.endpoint,
    S3_ACCESS_KEY_ID: s3.endpoint.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.endpoint.secretAccessKey,
    S3_BUCKET: "videoflow",
  });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await server.start();
    const random = seededRandom(5);
    const bytes = new Uint8Array(13 * MiB + 4321).map(() => (random() * 256) | 0);
    // 0.7 MiB chunks: the first part ends inside chunk 7, so a resume must skip part of a chunk.
    const chunks = splitEvenly(bytes, Math.ceil(bytes.length / (0.7 * MiB)));
    const rec = await createRecording(
      server.url,
      undefined,
      await signIn(server.url, TEST_ACCOUNT),
    );
    let client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
    await sendChunks(client, chunks.slice(0, 12));
    await waitFor(async () => (await client.chunk(0, chunks[0])).durableSeq !== -1);
    const [part] = await sql`SELECT last_seq, last_seq_complete FROM video_parts
      WHERE video_id = ${rec.id} AND part_number = 1`;
    assert.equal(part.last_seq, 7);
    assert.equal(part.last_seq_complete, false);

    await server.kill();
    await client.closed;
    await server.start();

    client = await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
    assert.deepEqual(client.ready, { nextSeq: 7, durableSeq: 6 });
    await sendChunks(client, chunks, client.ready.nextSeq);
    assert.deepEqual(await client.finish(chunks.length - 1, 40_000), { type: "done", id: rec.id });

    const stored = await readObject(storage, originalKey(rec.id));
    assert.equal(stored.length, bytes.length);
    assert.equal(sha256(stored), sha256(bytes));
  } finally {
    await server.kill();
    await sql.end();
    await s3.stop();
    await database.drop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
