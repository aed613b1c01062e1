/**
 * The ingest benchmark (`deno task bench ingest`): what a concurrent recording costs the server in
 * memory, how fast it ingests compared with uploading straight to S3, and how long a recording
 * takes to be playable after Stop.
 *
 * The app runs as a child process (`main.ts`, as `deno task start` runs it) against a fresh
 * PostgreSQL database, and the embedded S3 server runs in another child, so that neither its
 * memory nor its CPU is counted as the app's. Each scenario gets a freshly started app that has
 * served a short warm-up recording, so one scenario's heap does not carry over into the next.
 */
import { join } from "node:path";
import postgres from "postgres";
import {
  createRecording,
  IngestClient,
  sendChunks,
  type ServerMessage,
} from "../lib/ingest/client.ts";
import { type CompletedPart, type S3Endpoint, Storage } from "../lib/storage/s3.ts";
import { createTestDatabase } from "../test_support/db.ts";
import {
  benchAppEnv,
  busyShare,
  mib,
  readCpuSeconds,
  readMachineCpu,
  RssSampler,
  S3Process,
} from "./proc.ts";
import { report, reportStderr, type Table } from "./report.ts";
import { ChildServer } from "../test_support/server.ts";
import { benchAuth, medianRun, percentile, sleep, withTimeout } from "./util.ts";

const MiB = 1024 * 1024;
const CHUNK_BYTES = MiB;
/** The app's default `INGEST_PART_BYTES`, used for the direct uploads too. */
const PART_BYTES = 5 * MiB;
const BUCKET = "videoflow";
const MIME = "video/webm;codecs=vp9,opus";
/** Chunks a fast recorder may have unacknowledged: it sends the next one when an ack arrives. */
const WINDOW = 1;
/** Distinct random chunks, reused in turn: random so nothing can compress them. */
const POOL_SIZE = 16;

const GOAL_RSS_PER_RECORDING = 6 * MiB;
const GOAL_THROUGHPUT_RATIO = 0.8;
const GOAL_DONE_P50_MS = 500;
const GOAL_DONE_SCALING = 2;

/** What to run; the quick plan only checks that everything works. */
interface Plan {
  /** Fast scenarios: recorders and chunks each. */
  fast: { recorders: number; chunks: number }[];
  /**
   * Runs of each fast scenario, ingest and direct in alternating order so that drift over the run
   * (s3rver slows as its directory fills) does not favour either; medians are reported.
   */
  fastRuns: number;
  paced: { recorders: number[]; chunks: number; intervalMs: number; staggerMs: number };
  latency: { label: string; chunks: number; reps: number }[];
  /** Direct uploads per latency size, to time S3's own CompleteMultipartUpload. */
  directReps: number;
}

const FULL_PLAN: Plan = {
  fast: [{ recorders: 1, chunks: 100 }, { recorders: 10, chunks: 25 }, {
    recorders: 50,
    chunks: 12,
  }],
  fastRuns: 3,
  paced: { recorders: [1, 10, 50], chunks: 10, intervalMs: 3000, staggerMs: 3000 },
  latency: [
    { label: "1-minute", chunks: 20, reps: 20 },
    { label: "10-minute", chunks: 200, reps: 5 },
  ],
  directReps: 3,
};

const QUICK_PLAN: Plan = {
  fast: [{ recorders: 1, chunks: 10 }, { recorders: 4, chunks: 6 }],
  fastRuns: 2,
  paced: { recorders: [1, 4], chunks: 3, intervalMs: 1000, staggerMs: 1000 },
  latency: [
    { label: "1-minute", chunks: 20, reps: 3 },
    { label: "10-minute", chunks: 40, reps: 2 },
  ],
  directReps: 1,
};

/** RSS of the app during one scenario. */
interface Rss {
  before: number;
  peak: number;
}

/** A paced scenario. */
interface PacedResult {
  recorders: number;
  chunks: number;
  rss: Rss;
}

/** One run of a fast scenario through the app and of the same bytes straight to S3. */
interface FastRun {
  rss: Rss;
  ingestMs: number;
  /** When the last chunk of every recorder had been acknowledged: the app had all the bytes. */
  ackedMs: number;
  directMs: number;
  /** CPU seconds used during the timed window: app, S3 server, benchmark client. */
  ingestCpu: { app: number; s3: number; client: number };
  directCpu: { s3: number; client: number };
  /** Share of the machine's CPU time that was busy (every process, kernel included). */
  ingestBusy: number;
  directBusy: number;
  /** Remux jobs the app started before the last `done` (background work overlapping ingest). */
  jobsDuring: number;
}

/** A fast scenario and its runs. */
interface FastResult {
  recorders: number;
  chunks: number;
  runs: FastRun[];
}

/** Stop → done latencies of one recording size, and S3's own share for the same size. */
interface LatencyResult {
  label: string;
  chunks: number;
  doneMs: number[];
  directCompleteMs: number[];
  directLastPartMs: number[];
}

/** Everything the benchmark measured. */
export interface IngestResults {
  fast: FastResult[];
  paced: PacedResult[];
  latency: LatencyResult[];
  totalMs: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function makePool(): Uint8Array[] {
  return Array.from({ length: POOL_SIZE }, () => {
    const chunk = new Uint8Array(CHUNK_BYTES);
    // getRandomValues fills at most 64 KiB per call.
    for (let off = 0; off < chunk.length; off += 65536) {
      crypto.getRandomValues(chunk.subarray(off, off + 65536));
    }
    return chunk;
  });
}

/** The chunks of a recording of `n` chunks: the pool in turn, the same bytes every time. */
function recordingChunks(pool: Uint8Array[], n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => pool[i % pool.length]);
}

/** Writes the first `n` chunks of a recording to a file, the source of the direct uploads. */
async function writeRecordingFile(path: string, pool: Uint8Array[], n: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (const chunk of recordingChunks(pool, n)) {
    let off = 0;
    while (off < chunk.length) off += await file.write(chunk.subarray(off));
  }
}

function expectType(msg: ServerMessage, type: string): void {
  if (msg.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(msg)}`);
}

/** Creates `n` recordings and opens their sockets. */
function openRecorders(baseUrl: string, n: number): Promise<IngestClient[]> {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const rec = await createRecording(
      baseUrl,
      { title: `bench ${i}`, mimeType: MIME },
      await benchAuth(baseUrl),
    );
    return await IngestClient.connect(rec.ingestUrl, rec.uploadToken);
  }));
}

/** Sends `finish` and waits for `done` and the close that follows. */
async function finishRecording(client: IngestClient, lastSeq: number, durationMs: number) {
  expectType(await client.finish(lastSeq, durationMs), "done");
  await client.closed;
}

/** CPU seconds of several processes at once. */
async function cpuOf(pids: number[]): Promise<number[]> {
  return await Promise.all(pids.map(readCpuSeconds));
}

// ---------------------------------------------------------------------------------------------
// The environment: S3 child, database, app children

class Bench {
  readonly sql: postgres.Sql;
  readonly storage: Storage;
  #appSeq = 0;

  constructor(
    readonly tmp: string,
    readonly s3: S3Process,
    readonly dbUrl: string,
    readonly pool: Uint8Array[],
    /** A file holding the longest recording's bytes, for the direct uploads. */
    readonly sourceFile: string,
  ) {
    this.sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const endpoint: S3Endpoint = {
      endpoint: s3.endpoint,
      region: "us-east-1",
      bucket: BUCKET,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    };
    this.storage = new Storage(endpoint);
  }

  get appStderr(): string {
    return join(this.tmp, "app-stderr.log");
  }

  /**
   * Starts a fresh app, has it serve a short warm-up recording (so lazy initialisation and JIT
   * are not counted as a scenario's cost), runs `fn`, lets the job queue drain, and stops the app.
   */
  async withApp<T>(fn: (app: ChildServer) => Promise<T>): Promise<T> {
    const dataDir = join(this.tmp, `data-${this.#appSeq++}`);
    const env = benchAppEnv(this.dbUrl, dataDir, this.s3.endpoint, BUCKET);
    const app = new ChildServer(env, { stderrPath: this.appStderr });
    await app.start();
    try {
      await this.warmUp(app);
      const result = await fn(app);
      // Only a running app works off its queue; its remux downloads must not overlap what follows.
      await this.settle();
      return result;
    } finally {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  }

  async warmUp(app: ChildServer): Promise<void> {
    const chunks = recordingChunks(this.pool, 6);
    const clients = await openRecorders(app.url, 2);
    await Promise.all(clients.map(async (c) => {
      await sendChunks(c, chunks, 0, WINDOW);
      await finishRecording(c, chunks.length - 1, 0);
    }));
    await this.settle();
  }

  /**
   * Waits until the app's job queue is empty. Every finished recording queues a remux job that
   * downloads the whole object (and then fails: random bytes are not a video); letting those run
   * between measurements keeps their downloads out of the next one.
   */
  async settle(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [{ n }] = await this.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')`;
      if (n === 0) return;
      await sleep(200);
    }
    console.warn(`  (warning: jobs still pending after ${timeoutMs / 1000} s; continuing)`);
  }

  /** Jobs claimed at least once so far. */
  async jobsStarted(): Promise<number> {
    const [{ n }] = await this.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs WHERE attempts > 0`;
    return n;
  }

  /** Uploads the first `bytes` of the source file as one multipart upload of 5 MiB parts. */
  async directUpload(
    key: string,
    uploadId: string,
    bytes: number,
  ): Promise<{ lastPartMs: number; completeMs: number }> {
    const parts: CompletedPart[] = [];
    let lastPartMs = 0;
    for (let off = 0; off < bytes; off += PART_BYTES) {
      const partNumber = parts.length + 1;
      const t = performance.now();
      const etag = await this.storage.uploadPart(key, uploadId, partNumber, {
        path: this.sourceFile,
        start: off,
        length: Math.min(PART_BYTES, bytes - off),
      });
      lastPartMs = performance.now() - t;
      parts.push({ partNumber, etag });
    }
    const t = performance.now();
    await this.storage.completeMultipart(key, uploadId, parts);
    return { lastPartMs, completeMs: performance.now() - t };
  }

  async close(): Promise<void> {
    await this.sql.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** Fast recorders through the app: RSS, wall time and CPU. */
async function fastIngest(
  bench: Bench,
  app: ChildServer,
  recorders: number,
  chunkCount: number,
): Promise<
  Pick<FastRun, "rss" | "ingestMs" | "ackedMs"> & {
    cpu: FastRun["ingestCpu"];
    busy: number;
    jobs: number;
  }
> {
  const chunks = recordingChunks(bench.pool, chunkCount);
  const pids = [app.pid, bench.s3.pid, Deno.pid];
  const jobsBefore = await bench.jobsStarted();
  // Sampling starts before the recordings exist: their sockets and sessions are part of the cost.
  const sampler = new RssSampler(app.pid);
  const clients = await openRecorders(app.url, recorders);
  const cpu0 = await cpuOf(pids);
  const machine0 = await readMachineCpu();
  const t0 = performance.now();
  let ackedMs = 0;
  await withTimeout(
    Promise.all(clients.map(async (c) => {
      await sendChunks(c, chunks, 0, WINDOW);
      ackedMs = Math.max(ackedMs, performance.now() - t0);
      await finishRecording(c, chunkCount - 1, chunkCount * 3000);
    })),
    300_000,
    `fast ingest with ${recorders} recorders`,
  );
  const ingestMs = performance.now() - t0;
  const machine1 = await readMachineCpu();
  const cpu1 = await cpuOf(pids);
  const { before, peak } = sampler.stop();
  const jobs = (await bench.jobsStarted()) - jobsBefore;
  return {
    rss: { before, peak },
    ingestMs,
    ackedMs,
    cpu: { app: cpu1[0] - cpu0[0], s3: cpu1[1] - cpu0[1], client: cpu1[2] - cpu0[2] },
    busy: busyShare(machine0, machine1),
    jobs,
  };
}

/** The same bytes and concurrency straight to S3 from this process. */
async function fastDirect(
  bench: Bench,
  recorders: number,
  chunkCount: number,
): Promise<{ directMs: number; cpu: FastRun["directCpu"]; busy: number }> {
  const bytes = chunkCount * CHUNK_BYTES;
  const keys = Array.from({ length: recorders }, () => `bench/direct/${crypto.randomUUID()}`);
  // As with the app, whose POST /api/videos creates the upload, creation is not timed.
  const uploadIds = await Promise.all(keys.map((k) => bench.storage.createMultipart(k, MIME)));
  const pids = [bench.s3.pid, Deno.pid];
  const cpu0 = await cpuOf(pids);
  const machine0 = await readMachineCpu();
  const t0 = performance.now();
  await withTimeout(
    Promise.all(keys.map((key, i) => bench.directUpload(key, uploadIds[i], bytes))),
    300_000,
    `direct upload with ${recorders} uploaders`,
  );
  const directMs = performance.now() - t0;
  const machine1 = await readMachineCpu();
  const cpu1 = await cpuOf(pids);
  return {
    directMs,
    cpu: { s3: cpu1[0] - cpu0[0], client: cpu1[1] - cpu0[1] },
    busy: busyShare(machine0, machine1),
  };
}

/** Recorders sending one chunk per interval, started staggered: RSS only. */
async function pacedIngest(
  bench: Bench,
  app: ChildServer,
  recorders: number,
  plan: Plan["paced"],
): Promise<PacedResult> {
  const chunks = recordingChunks(bench.pool, plan.chunks);
  const sampler = new RssSampler(app.pid);
  const clients = await openRecorders(app.url, recorders);
  const t0 = performance.now();
  await withTimeout(
    Promise.all(clients.map(async (c, r) => {
      const start = t0 + (r * plan.staggerMs) / recorders;
      const acks: Promise<ServerMessage>[] = [];
      // As MediaRecorder with a timeslice: a chunk at the end of each interval, the last at Stop.
      for (let seq = 0; seq < chunks.length; seq++) {
        await sleep(start + (seq + 1) * plan.intervalMs - performance.now());
        acks.push(c.chunk(seq, chunks[seq]));
      }
      const done = finishRecording(c, chunks.length - 1, chunks.length * plan.intervalMs);
      for (const ack of acks) expectType(await ack, "ack");
      await done;
    })),
    plan.chunks * plan.intervalMs + plan.staggerMs + 120_000,
    `paced ingest with ${recorders} recorders`,
  );
  const { before, peak } = sampler.stop();
  return { recorders, chunks: plan.chunks, rss: { before, peak } };
}

/** Stop → done for recordings of one size, one at a time. */
async function doneLatency(
  bench: Bench,
  app: ChildServer,
  chunkCount: number,
  reps: number,
): Promise<number[]> {
  const chunks = recordingChunks(bench.pool, chunkCount);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const [client] = await openRecorders(app.url, 1);
    await sendChunks(client, chunks, 0, WINDOW);
    const t0 = performance.now();
    const msg = await withTimeout(
      client.finish(chunkCount - 1, chunkCount * 3000),
      120_000,
      "finish",
    );
    times.push(performance.now() - t0);
    expectType(msg, "done");
    await client.closed;
    await bench.settle();
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// Report

const ok = (pass: boolean) => pass ? "ok" : "MISSED";
const ms = (v: number) => v.toFixed(0);
const rate = (bytes: number, millis: number) => bytes / MiB / (millis / 1000);

function tables(r: IngestResults): Table[] {
  const growth = (x: Rss, recorders: number) => (x.peak - x.before) / recorders;
  const rssRow = (
    mode: string,
    recorders: number,
    chunks: number,
    rss: Rss,
    runs: number,
    range: string,
  ) => {
    const per = growth(rss, recorders);
    return [
      mode,
      String(recorders),
      String(chunks),
      String(runs),
      mib(rss.before),
      mib(rss.peak),
      (per / MiB).toFixed(2),
      range,
      ok(per <= GOAL_RSS_PER_RECORDING),
    ];
  };
  const rssTable: Table = {
    title: `Server RSS per concurrent recording (goal ≤ ${
      GOAL_RSS_PER_RECORDING / MiB
    } MiB; 1 MiB chunks; median run)`,
    headers: [
      "mode",
      "recorders",
      "chunks each",
      "runs",
      "RSS before (MiB)",
      "RSS peak (MiB)",
      "growth / recording (MiB)",
      "range over runs (MiB)",
      "goal",
    ],
    rows: [
      ...r.fast.map((f) => {
        const per = f.runs.map((x) => growth(x.rss, f.recorders) / MiB);
        const median = medianRun(f.runs, (x) => growth(x.rss, f.recorders)).rss;
        const range = `${Math.min(...per).toFixed(2)} – ${Math.max(...per).toFixed(2)}`;
        return rssRow("fast", f.recorders, f.chunks, median, f.runs.length, range);
      }),
      ...r.paced.map((p) => rssRow("paced", p.recorders, p.chunks, p.rss, 1, "-")),
    ],
  };
  const throughputTable: Table = {
    title:
      `Ingest throughput, fast recorders (window ${WINDOW}) vs. the same bytes straight to S3 (goal ratio ≥ ${GOAL_THROUGHPUT_RATIO}; medians over runs)`,
    headers: [
      "recorders",
      "MiB per run",
      "runs",
      "ingest (MiB/s)",
      "direct S3 (MiB/s)",
      "ratio",
      "ratio range",
      "goal",
      "all acked / all done (s)",
      "CPU s/GiB app / S3 / client (ingest)",
      "CPU s/GiB S3 / client (direct)",
      "machine CPU busy (ingest / direct)",
      "remux jobs overlapping",
    ],
    rows: r.fast.map((f) => {
      const bytes = f.recorders * f.chunks * CHUNK_BYTES;
      const ingest = f.runs.map((x) => rate(bytes, x.ingestMs));
      const direct = f.runs.map((x) => rate(bytes, x.directMs));
      // Each run's ingest is compared with the direct upload of the same run.
      const ratios = f.runs.map((_, i) => ingest[i] / direct[i]);
      const ratio = percentile(ratios, 50);
      const gib = (bytes * f.runs.length) / (1024 * MiB);
      const sum = (g: (x: FastRun) => number) => f.runs.reduce((n, x) => n + g(x), 0) / gib;
      const mean = (g: (x: FastRun) => number) =>
        f.runs.reduce((n, x) => n + g(x), 0) / f.runs.length;
      return [
        String(f.recorders),
        (bytes / MiB).toFixed(0),
        String(f.runs.length),
        percentile(ingest, 50).toFixed(1),
        percentile(direct, 50).toFixed(1),
        ratio.toFixed(2),
        `${Math.min(...ratios).toFixed(2)} – ${Math.max(...ratios).toFixed(2)}`,
        ok(ratio >= GOAL_THROUGHPUT_RATIO),
        `${(percentile(f.runs.map((x) => x.ackedMs), 50) / 1000).toFixed(2)} / ${
          (percentile(f.runs.map((x) => x.ingestMs), 50) / 1000).toFixed(2)
        }`,
        [sum((x) => x.ingestCpu.app), sum((x) => x.ingestCpu.s3), sum((x) => x.ingestCpu.client)]
          .map((v) => v.toFixed(1)).join(" / "),
        [sum((x) => x.directCpu.s3), sum((x) => x.directCpu.client)].map((v) => v.toFixed(1))
          .join(" / "),
        `${(mean((x) => x.ingestBusy) * 100).toFixed(0)}% / ${
          (mean((x) => x.directBusy) * 100).toFixed(0)
        }%`,
        String(f.runs.reduce((n, x) => n + x.jobsDuring, 0)),
      ];
    }),
  };
  const base = r.latency[0];
  const baseP50 = base ? percentile(base.doneMs, 50) : 0;
  const latencyTable: Table = {
    title:
      `Stop → done latency (goal p50 < ${GOAL_DONE_P50_MS} ms, and the longest recording's p50 ≤ ${GOAL_DONE_SCALING}× the shortest's)`,
    headers: [
      "recording",
      "chunks (MiB)",
      "runs",
      "p50 (ms)",
      "p99 (ms)",
      "goal p50",
      "p50 vs first row",
      "goal scaling",
      "S3 complete alone p50 (ms)",
      "S3 last part alone p50 (ms)",
    ],
    rows: r.latency.map((x) => {
      const p50 = percentile(x.doneMs, 50);
      const scale = p50 / baseP50;
      return [
        x.label,
        String(x.chunks),
        String(x.doneMs.length),
        ms(p50),
        ms(percentile(x.doneMs, 99)),
        ok(p50 < GOAL_DONE_P50_MS),
        `${scale.toFixed(2)}×`,
        x === base ? "-" : ok(scale <= GOAL_DONE_SCALING),
        ms(percentile(x.directCompleteMs, 50)),
        ms(percentile(x.directLastPartMs, 50)),
      ];
    }),
  };
  return [rssTable, throughputTable, latencyTable];
}

function notes(plan: Plan): string[] {
  return [
    `Setup: the app (\`main.ts\`) and the embedded S3 server (s3rver) run as separate child processes; ` +
    `PostgreSQL is local. Each scenario runs on a freshly started app that has served a short warm-up ` +
    `recording. RSS is VmRSS of the app's process from /proc, sampled every 100 ms from before the ` +
    `recordings are created until the last \`done\`; growth = (peak − before) / recorders. The ` +
    `peak includes received chunk buffers not yet garbage-collected, and with one recorder it is ` +
    `mostly heap growth and GC timing rather than the recording's own state.`,
    `Fast: each recorder sends as fast as acks allow (at most ${WINDOW} chunk(s) unacknowledged), then \`finish\`; ` +
    `throughput = bytes / time from the first chunk sent to the last \`done\`. Direct S3: the same ` +
    `bytes and concurrency uploaded from the benchmark process with the app's Storage class ` +
    `(multipart, ${PART_BYTES / MiB} MiB parts read from a file, one part in flight per upload, ` +
    `then CompleteMultipartUpload), in the same run against the same S3 server. Each fast ` +
    `scenario runs ${plan.fastRuns} times, app and direct in alternating order; the ratio is the ` +
    `median of the runs' ratios, and the RSS row is the run with the median growth.`,
    `Paced: one chunk every ${plan.paced.intervalMs / 1000} s per recorder, ${plan.paced.chunks} ` +
    `chunks, recorders starting staggered over the first ${plan.paced.staggerMs / 1000} s.`,
    `Stop → done: time from sending \`finish\` to receiving \`done\`, recordings sent fast one at a ` +
    `time (a "1-minute" recording is ${
      plan.latency[0]?.chunks
    } × 1 MiB). Pacing does not change the ` +
    `finish path (the last part upload and CompleteMultipartUpload), so it is measured on fast ` +
    `recordings. With fewer than 100 runs, p99 is the slowest run. "S3 complete alone" times ` +
    `CompleteMultipartUpload of a direct upload of the same size: s3rver concatenates the parts ` +
    `into a new file, so its cost grows with the recording.`,
    `Every finished recording queues a remux job in the app (it downloads the object; random bytes ` +
    `then fail the probe). The benchmark waits for the job queue to drain between scenarios and ` +
    `runs; "remux jobs overlapping" counts those started while a fast scenario was still running.`,
    `CPU columns: core-seconds per GiB moved, used in the timed windows by each process (from ` +
    `\`/proc/<pid>/stat\`), and the busy share of all cores' time (from \`/proc/stat\`, ` +
    `PostgreSQL and the kernel included): the app, s3rver, PostgreSQL and this client share the ` +
    `machine's cores. "All acked / all done": medians of when every recorder's last chunk had ` +
    `been acknowledged (the app had every byte) and of when the last \`done\` arrived; between ` +
    `the two the app waits for its last parts and CompleteMultipartUpload in S3.`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Runs the ingest benchmark, prints its tables and writes them to `bench/results/ingest.md`.
 * `quick` runs a much smaller plan, only to check that the benchmark works.
 */
export async function runIngestBench(opts: { quick?: boolean } = {}): Promise<IngestResults> {
  const plan = opts.quick ? QUICK_PLAN : FULL_PLAN;
  const started = performance.now();
  const results: IngestResults = { fast: [], paced: [], latency: [], totalMs: 0 };

  await using cleanup = new AsyncDisposableStack();
  const tmp = await Deno.makeTempDir({ prefix: "videoflow-bench-" });
  cleanup.defer(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  // Ctrl-C still stops the children and drops the database.
  const onInterrupt = () => {
    console.error("\ninterrupted: cleaning up");
    cleanup.disposeAsync().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  cleanup.defer(() => Deno.removeSignalListener("SIGINT", onInterrupt));

  console.log("ingest benchmark: starting the S3 server and creating the database");
  const s3 = new S3Process(join(tmp, "s3"), BUCKET);
  cleanup.defer(() => s3.stop());
  await s3.start();
  const db = await createTestDatabase();
  cleanup.defer(() => db.drop());

  const pool = makePool();
  const longest = Math.max(...plan.fast.map((f) => f.chunks), ...plan.latency.map((l) => l.chunks));
  const sourceFile = join(tmp, "recording.bin");
  await writeRecordingFile(sourceFile, pool, longest);
  const bench = new Bench(tmp, s3, db.url, pool, sourceFile);
  cleanup.defer(() => bench.close());
  // The first S3 call initialises the SDK; keep that out of the first direct measurement.
  await bench.storage.ping();

  for (const { recorders, chunks } of plan.fast) {
    const runs: FastRun[] = [];
    for (let run = 0; run < plan.fastRuns; run++) {
      console.log(
        `fast: ${recorders} recorder(s) × ${chunks} chunks, run ${run + 1}/${plan.fastRuns}`,
      );
      const directFirst = run % 2 === 1;
      const early = directFirst ? await fastDirect(bench, recorders, chunks) : null;
      const ingest = await bench.withApp((app) => fastIngest(bench, app, recorders, chunks));
      const direct = early ?? await fastDirect(bench, recorders, chunks);
      runs.push({
        rss: ingest.rss,
        ingestMs: ingest.ingestMs,
        ackedMs: ingest.ackedMs,
        directMs: direct.directMs,
        ingestCpu: ingest.cpu,
        directCpu: direct.cpu,
        ingestBusy: ingest.busy,
        directBusy: direct.busy,
        jobsDuring: ingest.jobs,
      });
    }
    results.fast.push({ recorders, chunks, runs });
  }

  for (const recorders of plan.paced.recorders) {
    console.log(
      `paced: ${recorders} recorder(s), a chunk every ${plan.paced.intervalMs / 1000} s ` +
        `(~${
          ((plan.paced.chunks * plan.paced.intervalMs + plan.paced.staggerMs) / 1000).toFixed(0)
        } s)`,
    );
    results.paced.push(
      await bench.withApp((app) => pacedIngest(bench, app, recorders, plan.paced)),
    );
  }

  await bench.withApp(async (app) => {
    for (const { label, chunks, reps } of plan.latency) {
      console.log(`stop → done: ${reps} × ${label} (${chunks} chunks)`);
      const doneMs = await doneLatency(bench, app, chunks, reps);
      const directCompleteMs: number[] = [];
      const directLastPartMs: number[] = [];
      for (let i = 0; i < plan.directReps; i++) {
        const key = `bench/direct/${crypto.randomUUID()}`;
        const uploadId = await bench.storage.createMultipart(key, MIME);
        const t = await bench.directUpload(key, uploadId, chunks * CHUNK_BYTES);
        directCompleteMs.push(t.completeMs);
        directLastPartMs.push(t.lastPartMs);
      }
      results.latency.push({ label, chunks, doneMs, directCompleteMs, directLastPartMs });
    }
  });

  results.totalMs = performance.now() - started;
  const ts = tables(results);
  await report("ingest", "Ingest benchmark", ts, notes(plan), results.totalMs, opts.quick ?? false);
  await reportStderr(bench.appStderr);
  return results;
}
