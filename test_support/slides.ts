/**
 * Screen recordings with known text, made with ffmpeg: application-like screens (a top bar, a side
 * menu, a heading, body text) shown one after another under a moving cursor, encoded as
 * MediaRecorder would (VP8 or VP9 with Opus, written to a pipe: no duration, no cues). Used to
 * check what auto-doc reads against what was on screen.
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import { seededRandom } from "./media.ts";

const CACHE = join(Deno.env.get("TMPDIR") ?? "/tmp", "videoflow-test-media");

/** One screen of a slide recording. */
export interface Slide {
  app: string;
  menu: string[];
  heading: string;
  lines: string[];
}

/** A made recording and when each slide appeared. */
export interface SlideRecording {
  path: string;
  slides: Slide[];
  /** Second at which each slide appeared. */
  starts: number[];
  duration: number;
}

/** Five screens of a made-up web console, each with a distinct heading. */
export const CONSOLE_SLIDES: Slide[] = [
  {
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: "Create a project",
    lines: [
      "Choose a unique project name and a region close to your users.",
      "Projects keep their recordings, members and invoices apart.",
      "Press Continue to provision storage for the project.",
    ],
  },
  {
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: "Invite your teammates",
    lines: [
      "Type an email address and pick a role for each person.",
      "Editors can trim recordings; viewers can only comment.",
      "Invitations expire after seven days.",
    ],
  },
  {
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: "Connect the storage bucket",
    lines: [
      "Paste the bucket endpoint and the access key from your provider.",
      "Northwind checks the credentials with a small test upload.",
      "A green badge confirms the connection is healthy.",
    ],
  },
  {
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: "Configure billing alerts",
    lines: [
      "Set a monthly budget and the thresholds that send warnings.",
      "Alerts go to every administrator by email and webhook.",
      "Quarterly reports summarize spending per department.",
    ],
  },
  {
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: "Publish the walkthrough",
    lines: [
      "Review the generated guide and rename any unclear step.",
      "Share the link with customers or export it as Markdown.",
      "Archived walkthroughs stay searchable for auditors.",
    ],
  },
];

const WORDS = (
  "account admin alert archive audit backup badge billing branch bucket budget cache calendar " +
  "channel checkout cluster comment config contract customer dashboard database deploy device " +
  "domain draft editor export feature filter folder gateway invoice ledger license mailbox " +
  "member metric mirror monitor network notice order package partner payment pipeline policy " +
  "portal profile project queue quota record region release report request review router " +
  "schedule secret server session signal snapshot source staging storage ticket token traffic " +
  "upload usage vendor version volume webhook widget window workflow"
).split(" ");

/** `count` screens of made-up words (for long recordings), the same for the same seed. */
export function randomSlides(count: number, seed = 7): Slide[] {
  const rand = seededRandom(seed);
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)];
  const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
  const phrase = (n: number) => Array.from({ length: n }, pick).join(" ");
  return Array.from({ length: count }, (_, i) => ({
    app: "Northwind Console",
    menu: ["Overview", "Projects", "Billing", "Settings"],
    heading: `${cap(pick())} ${pick()} ${pick()} ${i + 1}`,
    lines: [cap(phrase(7)) + ".", cap(phrase(8)) + ".", cap(phrase(6)) + "."],
  }));
}

/** The words a reader should find on a slide. */
export function slideText(slide: Slide): string {
  return [slide.app, ...slide.menu, slide.heading, ...slide.lines].join("\n");
}

async function fontFile(pattern: string): Promise<string> {
  const out = await new Deno.Command("fc-match", { args: ["-f", "%{file}", pattern] }).output();
  const path = new TextDecoder().decode(out.stdout).trim();
  if (!out.success || !path) {
    throw new Error(`no font matches ${pattern}: install fonts-dejavu-core`);
  }
  return path;
}

async function ffmpeg(args: string[]): Promise<void> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-nostdin", "-v", "error", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffmpeg: ${new TextDecoder().decode(out.stderr)}`);
}

/** Draws one slide as a PNG of `width`×`height` (laid out for 1280×720 and scaled). */
async function drawSlide(dir: string, slide: Slide, index: number, fonts: string[]) {
  const [regular, bold] = fonts;
  type Text = { text: string; x: number; y: number; size: number; font: string; color: string };
  /** Lines stacked 48 px apart from `y`. */
  const column = (lines: string[], x: number, y: number, size: number): Text[] =>
    lines.map((text, i) => ({ text, x, y: y + i * 48, size, font: regular, color: "0x374151" }));
  const texts: Text[] = [
    { text: slide.app, x: 28, y: 22, size: 26, font: bold, color: "0x1f2937" },
    ...column(slide.menu, 28, 110, 22),
    { text: slide.heading, x: 300, y: 110, size: 44, font: bold, color: "0x111827" },
    ...column(slide.lines, 300, 200, 24),
  ];
  const filters = [
    "drawbox=x=0:y=0:w=1280:h=70:color=0xe5e7eb:t=fill",
    "drawbox=x=0:y=70:w=250:h=650:color=0xf3f4f6:t=fill",
    "drawbox=x=300:y=400:w=180:h=54:color=0x9ca3af:t=2",
  ];
  for (const [i, t] of texts.entries()) {
    const file = join(dir, `s${index}-t${i}.txt`);
    await Deno.writeTextFile(file, t.text);
    filters.push(
      `drawtext=fontfile=${t.font}:textfile=${file}:x=${t.x}:y=${t.y}:fontsize=${t.size}:fontcolor=${t.color}`,
    );
  }
  const out = join(dir, `slide${index}.png`);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=white:s=1280x720",
    "-frames:v",
    "1",
    "-vf",
    filters.join(","),
    "-y",
    out,
  ]);
  return out;
}

/**
 * Makes (or reuses) a recording showing each slide for `secondsPerSlide`, with a cursor moving all
 * the time. VP8 by default, VP9 on request, Opus audio, written to a pipe like MediaRecorder.
 */
export async function makeSlideRecording(
  slides: Slide[],
  opts: { secondsPerSlide?: number; codec?: "vp8" | "vp9"; fps?: number } = {},
): Promise<SlideRecording> {
  const seconds = opts.secondsPerSlide ?? 4;
  const codec = opts.codec ?? "vp8";
  const fps = opts.fps ?? 15;
  const key = createHash("sha256").update(JSON.stringify({ slides, seconds, codec, fps, v: 1 }))
    .digest("hex").slice(0, 16);
  await Deno.mkdir(CACHE, { recursive: true });
  const path = join(CACHE, `slides-${key}.webm`);
  const starts = slides.map((_, i) => i * seconds);
  const duration = slides.length * seconds;
  const result = { path, slides, starts, duration };
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return result;

  const dir = await Deno.makeTempDir({ prefix: "videoflow-slides-" });
  try {
    const fonts = [await fontFile("DejaVu Sans"), await fontFile("DejaVu Sans:bold")];
    const pngs = [];
    for (const [i, slide] of slides.entries()) pngs.push(await drawSlide(dir, slide, i, fonts));
    const list = pngs.map((p) => `file '${p}'\nduration ${seconds}\n`).join("") +
      `file '${pngs.at(-1)}'\n`;
    await Deno.writeTextFile(join(dir, "list.txt"), list);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    const video = codec === "vp9"
      ? ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"]
      : ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"];
    await ffmpeg([
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      join(dir, "list.txt"),
      "-f",
      "lavfi",
      "-i",
      `color=c=black:s=14x22:r=${fps}`,
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=330:sample_rate=48000",
      "-filter_complex",
      `[0:v]fps=${fps},format=yuv420p[bg];` +
      // The cursor sweeps the screen: a moving object the segmenting must not mistake for a change.
      `[bg][1:v]overlay=x='320+mod(t*140\\,860)':y='300+180*sin(t/2)':shortest=1[v]`,
      "-map",
      "[v]",
      "-map",
      "2:a",
      "-t",
      String(duration),
      ...video,
      "-b:v",
      "1500k",
      "-c:a",
      "libopus",
      "-b:a",
      "48k",
      "-f",
      "webm",
      "-y",
      tmp,
    ]);
    await Deno.rename(tmp, path);
    return result;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
