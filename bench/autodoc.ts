/**
 * `deno task bench autodoc`: how long turning a recording into a guide takes, against the
 * recording's duration and against plain decoding of the same file (the baseline, run here too),
 * seconds per OCR'd screen, the worker's peak memory (with its ffmpeg), and the recall of the text.
 *
 * Recordings are made with ffmpeg (slides of known text under a moving cursor, VP8 + Opus),
 * streamed through the ingest protocol to an app on PostgreSQL and the embedded S3; auto-doc runs
 * in a `deno task worker` process of its own, whose memory is sampled from `/proc`.
 */
import { startTestServer } from "../test_support/server.ts";
import { spawnWorker, startSharedS3 } from "../test_support/workers.ts";
import { makeSlideRecording, randomSlides, slideText } from "../test_support/slides.ts";
import { getVideoJson, uploadRecording, waitFor, waitForStatus } from "../test_support/helpers.ts";
import { wordRecall } from "../test_support/recall.ts";
import { mib, readTreeRssBytes, RssSampler } from "./proc.ts";
import { report, type Table } from "./report.ts";

interface Plan {
  name: string;
  slides: number;
  secondsPerSlide: number;
}

interface Result {
  plan: Plan;
  duration: number;
  totalS: number;
  decodeS: number;
  ocrS: number;
  screens: number;
  steps: number;
  baselineS: number;
  peakBytes: number;
  recall: number;
  missed: string[];
}

/** Decoding the file with nothing else: what any frame-reading approach pays at least. */
async function decodeSeconds(path: string): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "null", "-"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return (performance.now() - t) / 1000;
}

async function runOne(plan: Plan): Promise<Result> {
  const slides = randomSlides(plan.slides, plan.slides);
  console.error(`autodoc bench: making the ${plan.name} recording…`);
  const rec = await makeSlideRecording(slides, { secondsPerSlide: plan.secondsPerSlide });
  await using s3 = await startSharedS3();
  let worker: Deno.ChildProcess | null = null;
  try {
    await using server = await startTestServer(s3.env, { jobOptions: { kinds: ["remux"] } });
    const { id } = await uploadRecording(server, rec.path, { chunks: 20 });
    await waitForStatus(server.url, id, "ready", 600_000);
    const baselineS = await decodeSeconds(rec.path);

    worker = spawnWorker(
      { ...s3.env, DATABASE_URL: server.database.url, WORKER_JOBS: "autodoc" },
      "piped",
    );
    const sampler = new RssSampler(worker.pid, 100, readTreeRssBytes);
    const lines = worker.stdout.pipeThrough(new TextDecoderStream());
    let log = "";
    const reading = (async () => {
      for await (const chunk of lines) log += chunk;
    })();
    await waitFor(
      async () => {
        const v = await getVideoJson(server.url, id);
        const doc = v.doc as { status: string; error: string | null };
        if (doc.status === "failed") throw new Error(`auto-doc failed: ${doc.error}`);
        return doc.status === "done";
      },
      900_000,
      "the guide",
    );
    const { peak } = sampler.stop();
    worker.kill("SIGTERM");
    await worker.status;
    worker = null;
    await reading;
    const m = /(\d+) screens, (\d+) steps in ([\d.]+) s \(decode ([\d.]+) s, OCR ([\d.]+) s\)/
      .exec(log);
    if (!m) throw new Error(`no timing line from the worker: ${log}`);
    const doc = await (await fetch(`${server.url}/api/videos/${id}/doc`)).json();
    const read = doc.steps.map((s: { title: string; text: string }) => `${s.title}\n${s.text}`)
      .join("\n");
    const { recall, missed } = wordRecall(slides.map(slideText).join("\n"), read);
    return {
      plan,
      duration: rec.duration,
      screens: Number(m[1]),
      steps: Number(m[2]),
      totalS: Number(m[3]),
      decodeS: Number(m[4]),
      ocrS: Number(m[5]),
      baselineS,
      peakBytes: peak,
      recall,
      missed,
    };
  } finally {
    if (worker) {
      worker.kill("SIGKILL");
      await worker.status;
    }
  }
}

/** Runs the auto-doc benchmark. */
export async function runAutodocBench(opts: { quick: boolean }): Promise<void> {
  const started = performance.now();
  const plans: Plan[] = opts.quick ? [{ name: "12-second", slides: 4, secondsPerSlide: 3 }] : [
    { name: "1-minute", slides: 12, secondsPerSlide: 5 },
    { name: "10-minute", slides: 60, secondsPerSlide: 10 },
  ];
  const results: Result[] = [];
  for (const plan of plans) results.push(await runOne(plan));
  const table: Table = {
    title: "Auto-doc on slide recordings (1280×720 VP8, 15 fps, moving cursor)",
    headers: [
      "recording",
      "slides",
      "steps",
      "time",
      "÷ duration (goal ≤ 0.25)",
      "decode + compare",
      "OCR",
      "s / OCR frame",
      "÷ plain decode",
      "peak RSS (goal ≤ 600 MiB)",
      "recall (goal ≥ 95 %)",
    ],
    rows: results.map((r) => [
      r.plan.name,
      String(r.plan.slides),
      String(r.steps),
      `${r.totalS.toFixed(1)} s`,
      (r.totalS / r.duration).toFixed(3),
      `${r.decodeS.toFixed(1)} s`,
      `${r.ocrS.toFixed(1)} s`,
      (r.ocrS / Math.max(1, r.screens)).toFixed(2),
      `${(r.totalS / r.baselineS).toFixed(2)}×`,
      `${mib(r.peakBytes)} MiB`,
      `${(r.recall * 100).toFixed(1)} %`,
    ]),
  };
  const notes = [
    "time: from the worker taking the job to the steps written (download, one ffmpeg pass for " +
    "2 fps gray 160×90 frames plus JPEGs, OCR with AUTODOC_OCR_WORKERS=2, screenshots to S3).",
    "÷ plain decode: the same time against `ffmpeg -i rec -f null -` of the same file, run in this " +
    "benchmark (the baseline: no approach that looks at every frame can be faster).",
    "peak RSS: the worker process and its ffmpeg together, sampled every 100 ms.",
    ...results.filter((r) => r.missed.length > 0).map((r) =>
      `${r.plan.name}: words missed: ${r.missed.slice(0, 12).join(", ")}` +
      (r.missed.length > 12 ? ` (+${r.missed.length - 12})` : "")
    ),
  ];
  await report(
    "autodoc",
    "Auto-doc",
    [table],
    notes,
    performance.now() - started,
    opts.quick,
  );
}
