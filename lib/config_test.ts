import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("with no variables, every setting has its embedded default", () => {
  const c = loadConfig({});
  assert.equal(c.port, 8000);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.databaseUrl, null);
  assert.equal(c.s3, null);
  assert.equal(c.ingestPartBytes, 5 * 1024 * 1024);
  assert.equal(c.ingestMaxChunkBytes, 16 * 1024 * 1024);
  assert.equal(c.maxVideoBytes, 10 * 1024 ** 3);
  assert.equal(c.recordingResumeWindowS, 3600);
  assert.equal(c.ffmpegPath, null);
  assert.equal(c.renditions, true);
  assert.equal(c.autodocOcrWorkers, 2);
});

Deno.test("a real S3 is configured from its variables, the public endpoint defaulting to it", () => {
  const c = loadConfig({
    S3_ENDPOINT: "http://minio:9000/",
    S3_ACCESS_KEY_ID: "k",
    S3_SECRET_ACCESS_KEY: "s",
    S3_BUCKET: "clips",
  });
  assert.deepEqual(c.s3, {
    endpoint: "http://minio:9000",
    publicEndpoint: "http://minio:9000",
    region: "us-east-1",
    bucket: "clips",
    accessKeyId: "k",
    secretAccessKey: "s",
    forcePathStyle: true,
  });
  const aws = loadConfig({
    S3_ENDPOINT: "https://s3.eu-west-1.amazonaws.com",
    S3_PUBLIC_ENDPOINT: "https://cdn.example.com",
    S3_REGION: "eu-west-1",
    S3_ACCESS_KEY_ID: "k",
    S3_SECRET_ACCESS_KEY: "s",
    S3_FORCE_PATH_STYLE: "false",
  });
  assert.equal(aws.s3?.publicEndpoint, "https://cdn.example.com");
  assert.equal(aws.s3?.forcePathStyle, false);
});

Deno.test("each bad value is refused with one line naming the variable", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "eighty" }, /^PORT=eighty is not a whole number/],
    [{ PORT: "70000" }, /^PORT=70000 is out of range/],
    [
      { INGEST_PART_BYTES: "1048576" },
      /^INGEST_PART_BYTES=1048576 is out of range: set it between 5242880/,
    ],
    [{ MAX_VIDEO_BYTES: "-1" }, /^MAX_VIDEO_BYTES=-1 is not a whole number/],
    [
      { MAX_VIDEO_BYTES: String(60 * 1024 ** 3) },
      /^MAX_VIDEO_BYTES=\d+ needs more than 10000 parts/,
    ],
    [{ DATABASE_URL: "not a url" }, /^DATABASE_URL=not a url is not a valid URL/],
    [{ S3_ENDPOINT: "http://x:9000" }, /^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set/],
    [{ S3_ACCESS_KEY_ID: "k" }, /^S3_ACCESS_KEY_ID is set but S3_ENDPOINT is not/],
    [{ S3_BUCKET: "Bad_Bucket" }, /^S3_BUCKET=Bad_Bucket is not a valid bucket name/],
    [{
      S3_ENDPOINT: "http://x",
      S3_ACCESS_KEY_ID: "k",
      S3_SECRET_ACCESS_KEY: "s",
      S3_FORCE_PATH_STYLE: "maybe",
    }, /^S3_FORCE_PATH_STYLE=maybe is not a boolean/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, message);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("the worker's settings are validated like the rest, each with one line", () => {
  const c = loadConfig({
    WORKER_CONCURRENCY: "4",
    JOB_LEASE_S: "30",
    WORKER_JOBS: "autodoc, rendition",
  });
  assert.equal(c.workerConcurrency, 4);
  assert.equal(c.jobLeaseS, 30);
  assert.deepEqual(c.workerJobs, ["autodoc", "rendition"]);
  assert.deepEqual(loadConfig({}).workerJobs, ["remux", "autodoc", "rendition"]);
  assert.throws(
    () => loadConfig({ WORKER_JOBS: "remux,ocr" }),
    (err: Error) =>
      err instanceof ConfigError &&
      err.message ===
        "WORKER_JOBS=remux,ocr names unknown jobs (ocr): use remux, autodoc, rendition",
  );
  assert.throws(
    () => loadConfig({ WORKER_CONCURRENCY: "0" }),
    /^ConfigError: WORKER_CONCURRENCY=0 is out of range/,
  );
  assert.throws(
    () => loadConfig({ JOB_LEASE_S: "soon" }),
    /^ConfigError: JOB_LEASE_S=soon is not a whole number/,
  );
});
