/**
 * `deno task bench rendition`: what the MP4 rendition costs. For each recording (a screen
 * recording and a camera-like one, at 720p and 1080p), the CPU seconds per minute of video of the
 * rendition's ffmpeg run with the job's own arguments, against decoding the same file and against
 * the remux (the baselines, run here too), and the size of the MP4 against the WebM. Then the
 * guide's time on a recording with and without a rendition queued beside it, in an app that runs
 * its jobs in-process as `deno task start` does.
 */
import { join } from "node:path";
import { makeSlideRecording, randomSlides } from "../test_support/slides.ts";
import { startTestServer } from "../test_support/server.ts";
import { getVideoJson, uploadRecording, waitFor, waitForStatus } from "../test_support/helpers.ts";
import { ffmpegAbilities, probeStreams, type Tools } from "../lib/ffmpeg.ts";
import { bundledTool, locateTools } from "../lib/ffmpeg_locate.ts";
import { renditionArgs } from "../workers/rendition.ts";
import { mib } from "./proc.ts";
import { report, type Table } from "./report.ts";

const CACHE = join(Deno.env.get("TMPDIR") ?? "/tmp", "videoflow-bench-media");

interface Usage {
  cpuS: number;
  wallS: number;
  maxRssKiB: number;
}

/** Runs ffmpeg with `-benchmark`, which reports its own CPU time and peak memory. */
async function measured(ffmpegPath: string, args: string[]): Promise<Usage> {
  const out = await new Deno.Command(ffmpegPath, {
    args: ["-hide_banner", "-nostdin", "-benchmark", "-v", "info", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`ffmpeg failed: ${log.slice(-500)}`);
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(log);
  const rss = /bench: maxrss=(\d+)kB/.exec(log);
  if (!m) throw new Error(`no -benchmark line: ${log.slice(-500)}`);
  return {
    cpuS: Number(m[1]) + Number(m[2]),
    wallS: Number(m[3]),
    maxRssKiB: Number(rss?.[1] ?? 0),
  };
}

/** A camera-like recording: moving pictures and grain at 30 fps, VP8 + Opus, as Chrome sends. */
async function cameraWebm(seconds: number, size: string): Promise<string> {
  await Deno.mkdir(CACHE, { recursive: true });
  const path = join(CACHE, `camera-${seconds}s-${size}.webm`);
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return path;
  const kbps = size === "1920x1080" ? 4000 : 2500;
  await measured("ffmpeg", [
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30,noise=alls=12:allf=t`],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", String(seconds)],
    ...["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", `${kbps}k`],
    ...["-c:a", "libopus", "-b:a", "64k", "-y", path],
  ]);
  return path;
}

/** A screen recording: slides of text under a moving cursor, scaled to `size`, 15 fps VP8. */
async function screenWebm(seconds: number, size: string): Promise<string> {
  const slides = randomSlides(Math.max(2, Math.round(seconds / 5)), 11);
  const rec = await makeSlideRecording(slides, { secondsPerSlide: 5 });
  if (size === "1280x720") return rec.path;
  const path = join(CACHE, `screen-${seconds}s-${size}.webm`);
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return path;
  await Deno.mkdir(CACHE, { recursive: true });
  await measured("ffmpeg", [
    ...["-i", rec.path, "-vf", `scale=${size.replace("x", ":")}:flags=lanczos`],
    ...["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2500k"],
    ...["-c:a", "copy", "-y", path],
  ]);
  return path;
}

interface Row {
  content: string;
  size: string;
  tools: string;
  seconds: number;
  rendition: Usage;
  decode: Usage;
  remux: Usage;
  webmBytes: number;
  mp4Bytes: number;
}

async function measureFile(
  content: string,
  size: string,
  input: string,
  tools: Tools,
  label: string,
): Promise<Row> {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-bench-rendition-" });
  try {
    const streams = await probeStreams(tools, input);
    const output = join(dir, "out.mp4");
    console.error(`rendition bench: ${content} ${size} with ${label}…`);
    const decode = await measured(tools.ffmpegPath, ["-i", input, "-map", "0", "-f", "null", "-"]);
    const remux = await measured(tools.ffmpegPath, [
      ...["-i", input, "-map", "0", "-c", "copy", "-y", join(dir, "remux.webm")],
    ]);
    const abilities = await ffmpegAbilities(tools);
    const rendition = await measured(
      tools.ffmpegPath,
      renditionArgs(input, output, streams, abilities),
    );
    const probe = await new Deno.Command(tools.ffprobePath, {
      args: ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output],
    }).output();
    return {
      content,
      size,
      tools: label,
      seconds: Number.parseFloat(new TextDecoder().decode(probe.stdout)),
      rendition,
      decode,
      remux,
      webmBytes: (await Deno.stat(input)).size,
      mp4Bytes: (await Deno.stat(output)).size,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Seconds from the recording's finish to its guide being done, with renditions on or off. */
async function guideSeconds(path: string, renditions: boolean) {
  await using server = await startTestServer({ RENDITIONS: String(renditions) });
  const { id } = await uploadRecording(server, path, { chunks: 10 });
  const t0 = performance.now();
  await waitForStatus(server.url, id, "ready", 600_000);
  const guideAt = await waitFor(
    async () => {
      const v = await getVideoJson(server.url, id);
      const doc = v.doc as { status: string; error: string | null };
      if (doc.status === "failed") throw new Error(`guide failed: ${doc.error}`);
      return doc.status === "done" ? performance.now() : null;
    },
    900_000,
    "the guide",
  );
  let renditionAt: number | null = null;
  if (renditions) {
    renditionAt = await waitFor(
      async () => {
        const v = await getVideoJson(server.url, id);
        const r = v.rendition as { status: string; error: string | null };
        if (r.status === "failed") throw new Error(`rendition failed: ${r.error}`);
        return r.status === "done" ? performance.now() : null;
      },
      900_000,
      "the rendition",
    );
  }
  return {
    guideS: (guideAt - t0) / 1000,
    renditionS: renditionAt === null ? null : (renditionAt - t0) / 1000,
  };
}

/** Runs the rendition benchmark. */
export async function runRenditionBench(opts: { quick: boolean }): Promise<void> {
  const started = performance.now();
  const seconds = opts.quick ? 6 : 60;
  const located = await locateTools({ ffmpegPath: null, ffprobePath: null, dataDir: "./data" });
  const label = located.description.includes("npm") ? "bundled" : "system";
  const rows: Row[] = [];
  for (const size of ["1280x720", "1920x1080"]) {
    rows.push(await measureFile("screen", size, await screenWebm(seconds, size), located, label));
    rows.push(await measureFile("camera", size, await cameraWebm(seconds, size), located, label));
  }
  // The build shipped in npm, for a machine without a system ffmpeg.
  const [mpeg, probe] = [
    await bundledTool("ffmpeg", "./data"),
    await bundledTool("ffprobe", "./data"),
  ];
  if (mpeg && probe && label === "system") {
    const bundled = { ffmpegPath: mpeg.path, ffprobePath: probe.path };
    for (const size of ["1280x720", "1920x1080"]) {
      rows.push(
        await measureFile("screen", size, await screenWebm(seconds, size), bundled, "bundled"),
      );
    }
  }
  const perMinute = (u: Usage, s: number) => (u.cpuS / s) * 60;
  const cost: Table = {
    title: "MP4 rendition (H.264 veryfast CRF 23 + AAC) of VP8/Opus recordings",
    headers: [
      "recording",
      "frame",
      "ffmpeg",
      "CPU s / min of video",
      "× real time (2 cores)",
      "÷ decode CPU",
      "÷ remux CPU",
      "peak RSS",
      "MP4 ÷ WebM size",
    ],
    rows: rows.map((r) => [
      r.content,
      r.size.replace("1280x720", "720p").replace("1920x1080", "1080p"),
      r.tools,
      perMinute(r.rendition, r.seconds).toFixed(1),
      `${(r.rendition.wallS / r.seconds).toFixed(2)}×`,
      `${(r.rendition.cpuS / r.decode.cpuS).toFixed(1)}×`,
      `${(r.rendition.cpuS / Math.max(0.01, r.remux.cpuS)).toFixed(0)}×`,
      `${mib(r.rendition.maxRssKiB * 1024)} MiB`,
      `${(r.mp4Bytes / r.webmBytes).toFixed(2)}×`,
    ]),
  };

  console.error("rendition bench: the guide with and without a rendition beside it…");
  const screen = await screenWebm(seconds, "1280x720");
  const alone = await guideSeconds(screen, false);
  const beside = await guideSeconds(screen, true);
  const guide: Table = {
    title: `The guide of a ${seconds}-s 720p screen recording, jobs in-process (2 loops)`,
    headers: ["renditions", "finish → guide done", "finish → MP4 done", "guide ÷ alone"],
    rows: [
      ["off", `${alone.guideS.toFixed(1)} s`, "—", "1.00×"],
      [
        "on",
        `${beside.guideS.toFixed(1)} s`,
        `${beside.renditionS!.toFixed(1)} s`,
        `${(beside.guideS / alone.guideS).toFixed(2)}×`,
      ],
    ],
  };
  const notes = [
    "CPU s / min of video: user + system time ffmpeg reports (`-benchmark`) for the rendition, " +
    "with the job's own arguments, scaled to one minute; × real time: its wall time ÷ the " +
    "recording's duration on this machine.",
    "÷ decode CPU and ÷ remux CPU: against `ffmpeg -i rec -f null -` and the remux " +
    "(`-c copy`) of the same file with the same ffmpeg, run in this benchmark.",
    "screen: slides of text under a moving cursor at 15 fps (720p as recorded, 1080p scaled up); " +
    "camera: moving test pattern with grain at 30 fps, the costly case.",
    "guide ÷ alone: the rendition is claimed after the guide (priority) but runs beside it on the " +
    "second job loop at a low CPU priority (`nice -n 10`), so the guide gets the cores first.",
  ];
  await report(
    "rendition",
    "MP4 rendition",
    [cost, guide],
    notes,
    performance.now() - started,
    opts.quick,
  );
}
