/**
 * Test recordings made with ffmpeg: WebM (VP8 + Opus) written to a pipe, so that, like
 * MediaRecorder's output, it has no duration and no cues. Cached by their parameters.
 */
import { join } from "node:path";
import { createHash } from "node:crypto";

const CACHE = join(Deno.env.get("TMPDIR") ?? "/tmp", "videoflow-test-media");

/** Makes (or reuses) a WebM of `seconds` at about `kbps`. Returns its path. */
export async function makeWebm(seconds: number, kbps: number, size = "640x360"): Promise<string> {
  await Deno.mkdir(CACHE, { recursive: true });
  const path = join(CACHE, `rec-${seconds}s-${kbps}k-${size}.webm`);
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return path;
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const ffmpeg = new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${size}:rate=30,noise=alls=40:allf=t`,
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000",
      "-t",
      String(seconds),
      "-c:v",
      "libvpx",
      "-deadline",
      "realtime",
      "-cpu-used",
      "8",
      "-b:v",
      `${kbps}k`,
      "-minrate",
      `${kbps}k`,
      "-maxrate",
      `${kbps}k`,
      "-bufsize",
      `${kbps}k`,
      "-c:a",
      "libopus",
      "-b:a",
      "64k",
      "-f",
      "webm",
      "pipe:1",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  await ffmpeg.stdout.pipeTo(file.writable);
  const status = await ffmpeg.status;
  if (!status.success) throw new Error(`ffmpeg failed making ${path}`);
  await Deno.rename(tmp, path);
  return path;
}

/**
 * Makes (or reuses) an H.264 recording as other recorders send them: with AAC, a fragmented MP4
 * (Safari's MediaRecorder); with Opus, Matroska (Chrome's `video/webm;codecs=h264,opus`).
 */
export async function makeH264(seconds: number, audio: "aac" | "opus"): Promise<string> {
  await Deno.mkdir(CACHE, { recursive: true });
  const ext = audio === "aac" ? "mp4" : "mkv";
  const path = join(CACHE, `rec-h264-${audio}-${seconds}s.${ext}`);
  if (await Deno.stat(path).then((s) => s.size > 0).catch(() => false)) return path;
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=640x360:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000",
      "-t",
      String(seconds),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      ...(audio === "aac" ? ["-c:a", "aac"] : ["-c:a", "libopus"]),
      ...(audio === "aac"
        ? ["-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"]
        : ["-f", "matroska"]),
      "-y",
      tmp,
    ],
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`ffmpeg failed making ${path}`);
  await Deno.rename(tmp, path);
  return path;
}

/** The codecs, frame size and frame rate of a file's streams, and its duration, by ffprobe. */
export async function probeMedia(path: string): Promise<{
  duration: number;
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
  }[];
}> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_type,codec_name,width,height,avg_frame_rate:format=duration",
      "-of",
      "json",
      path,
    ],
  }).output();
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  return { duration: Number.parseFloat(json.format.duration), streams: json.streams };
}

/** The four-letter types of an MP4's top-level boxes, in file order. */
export async function topLevelBoxes(path: string): Promise<string[]> {
  const file = await Deno.open(path);
  const size = (await file.stat()).size;
  const types: string[] = [];
  try {
    let offset = 0;
    const header = new Uint8Array(16);
    while (offset + 8 <= size) {
      await file.seek(offset, Deno.SeekMode.Start);
      let read = 0;
      while (read < 16) {
        const n = await file.read(header.subarray(read));
        if (n === null) break;
        read += n;
      }
      const view = new DataView(header.buffer);
      let boxSize = view.getUint32(0);
      types.push(new TextDecoder().decode(header.subarray(4, 8)));
      if (boxSize === 1) boxSize = Number(view.getBigUint64(8));
      if (boxSize === 0) break; // to the end of the file
      if (boxSize < 8) throw new Error(`bad box size ${boxSize} at ${offset}`);
      offset += boxSize;
    }
  } finally {
    file.close();
  }
  return types;
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Splits bytes into chunks of the given sizes (the last takes the rest). */
export function splitBySizes(
  bytes: Uint8Array<ArrayBuffer>,
  sizes: number[],
): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  let off = 0;
  for (const size of sizes) {
    if (off >= bytes.length) break;
    out.push(bytes.subarray(off, Math.min(off + size, bytes.length)));
    off += size;
  }
  if (off < bytes.length) out.push(bytes.subarray(off));
  return out;
}

/** Splits bytes into `n` nearly equal chunks, as a recorder emitting every 3 s would. */
export function splitEvenly(bytes: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer>[] {
  const size = Math.ceil(bytes.length / n);
  return splitBySizes(bytes, Array.from({ length: n }, () => size));
}

/** A deterministic pseudo-random generator (mulberry32), so failures can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs ffprobe for a file's container duration. */
export async function probeDurationOf(path: string): Promise<number> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
  }).output();
  return Number.parseFloat(new TextDecoder().decode(out.stdout));
}
