/**
 * Reading frames with tesseract.js: a scheduler of a few workers, the English data from
 * `@tesseract.js-data/eng` on disk (nothing is downloaded), and a page reduced to its lines.
 */
import { dirname, join } from "node:path";
import { Buffer } from "node:buffer";
import { createScheduler, createWorker, OEM, type Scheduler } from "tesseract.js";
import engData from "@tesseract.js-data/eng";

/** A word as read, with its box in the frame's pixels. */
export interface OcrWord {
  text: string;
  confidence: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A line as read: its words, and the type size tesseract's row fit found for it. */
export interface OcrLine {
  words: OcrWord[];
  confidence: number;
  /** Row height from the baseline fit: x-height plus ascenders, steadier than the box height. */
  rowHeight: number;
  y0: number;
  y1: number;
}

/** A frame as read. */
export interface OcrPage {
  width: number;
  height: number;
  lines: OcrLine[];
}

/** How long starting the workers may take before they count as broken. */
const WORKER_START_MS = 60_000;
/** How long one frame may take (about 0.3 s is usual). */
const READ_MS = 60_000;

/** Where the `4.0.0_best_int` English data is (the smaller, faster model of the package). */
export function englishDataDir(): string {
  return join(dirname(engData.langPath), "4.0.0_best_int");
}

/** A pool of tesseract workers reading frames in parallel. */
export class OcrPool {
  private constructor(readonly scheduler: Scheduler, readonly size: number) {}

  /** Starts `workers` workers. Fails clearly when the language data is missing. */
  static async start(workers: number): Promise<OcrPool> {
    const langPath = englishDataDir();
    // A wrong path makes the worker die from inside, taking the process with it: check first.
    const data = join(langPath, "eng.traineddata.gz");
    if (!(await Deno.stat(data).then((s) => s.isFile).catch(() => false))) {
      throw new Error(
        `the OCR language data is missing (${data}): reinstall @tesseract.js-data/eng`,
      );
    }
    const starting = Array.from(
      { length: workers },
      () => createWorker("eng", OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: "none" }),
    );
    const settled = await withTimeout(
      Promise.allSettled(starting),
      WORKER_START_MS,
      "starting the OCR workers timed out",
    ).catch((err) => {
      // Workers that start after the deadline are stopped when they do.
      for (const p of starting) p.then((w) => w.terminate()).catch(() => {});
      throw err;
    });
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) {
      for (const r of settled) {
        if (r.status === "fulfilled") await r.value.terminate().catch(() => {});
      }
      throw failed.reason;
    }
    const scheduler = createScheduler();
    for (const r of settled) if (r.status === "fulfilled") scheduler.addWorker(r.value);
    return new OcrPool(scheduler, workers);
  }

  /** Reads an image file (JPEG or PNG). A read that takes over a minute counts as stuck. */
  async read(path: string): Promise<OcrPage> {
    const image = await Deno.readFile(path);
    const { data } = await withTimeout(
      this.scheduler.addJob("recognize", Buffer.from(image.buffer), {}, {
        blocks: true,
        text: false,
      }),
      READ_MS,
      "reading a frame took over a minute",
    );
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const words = line.words
            .map((w) => ({ text: w.text.trim(), confidence: w.confidence, ...w.bbox }))
            .filter((w) => w.text.length > 0);
          if (words.length === 0) continue;
          lines.push({
            words,
            confidence: line.confidence,
            rowHeight: line.rowAttributes?.rowHeight ?? line.bbox.y1 - line.bbox.y0,
            y0: line.bbox.y0,
            y1: line.bbox.y1,
          });
        }
      }
    }
    const size = imageSize(image);
    return { width: size.width, height: size.height, lines };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.scheduler.terminate();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Width and height of a JPEG (from its SOF marker) or PNG (from IHDR). */
export function imageSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let off = 2;
  while (off + 9 < bytes.length) {
    if (bytes[off] !== 0xff) break;
    const marker = bytes[off + 1];
    const len = view.getUint16(off + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(off + 5), width: view.getUint16(off + 7) };
    }
    off += 2 + len;
  }
  throw new Error("not a JPEG or PNG image");
}
