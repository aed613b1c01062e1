/**
 * From a frame's OCR lines to a step's title and text, and the rules that make a guide out of the
 * steps: near-duplicate screens merged, screens without text dropped.
 */
import type { OcrLine, OcrPage, OcrWord } from "./ocr.ts";

/** Words read with less confidence than this are noise (icons, textures, cursor edges). */
const MIN_WORD_CONFIDENCE = 35;
/** A gap wider than this many row heights between two words of a line separates two columns. */
const COLUMN_GAP = 1.5;
/** The title is looked for in this upper share of the screen. */
const TITLE_ZONE = 0.5;
/** Two consecutive screens whose words agree this much are one step. */
export const SAME_TEXT = 0.85;

/** A piece of a line that belongs to one column. */
interface Fragment {
  text: string;
  size: number;
  x0: number;
  x1: number;
  y0: number;
  confidence: number;
  /** Index of the line it came from, and whether that line held more than this fragment. */
  line: number;
  split: boolean;
}

/** What a step says. */
export interface PageText {
  title: string;
  text: string;
  /** Mean word confidence, 0–1. */
  confidence: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

/**
 * Splits a line where tesseract joined two columns (a side menu and a heading on the same row).
 * Each piece gets the line's row-fit size scaled by its words' heights, so the heading half of a
 * joined line keeps its size and the menu half does not borrow it.
 */
function fragments(line: OcrLine, index: number): Fragment[] {
  const words = line.words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE && /\w/.test(w.text));
  // A lone character (an icon, the cursor's edge) is not text worth a line.
  if (words.length === 1 && (words[0].text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < 2) return [];
  const groups: OcrWord[][] = [];
  for (const w of words) {
    const group = groups.at(-1);
    const prev = group?.at(-1);
    if (group && prev && w.x0 - prev.x1 <= COLUMN_GAP * line.rowHeight) group.push(w);
    else groups.push([w]);
  }
  const heights = groups.map((g) => median(g.map((w) => w.y1 - w.y0)));
  const tallest = Math.max(...heights, 1);
  return groups.map((g, i) => ({
    text: g.map((w) => w.text).join(" "),
    size: groups.length === 1 ? line.rowHeight : line.rowHeight * (heights[i] / tallest),
    x0: g[0].x0,
    x1: g.at(-1)!.x1,
    y0: Math.min(...g.map((w) => w.y0)),
    confidence: g.reduce((sum, w) => sum + w.confidence, 0) / g.length,
    line: index,
    split: groups.length > 1,
  }));
}

/**
 * Puts a side column before the main one. Tesseract reads a side menu and the page beside it as
 * one column of lines, each menu item glued to the text on its row ("Billing Type an email…").
 * When lines were split at one place and each side also has lines of its own (so the two sides
 * keep their own rhythm, unlike a table's rows), the left side is read first, then the right;
 * lines spanning both (a top bar) keep their place before or after.
 */
export function readingOrder<F extends Pick<Fragment, "x0" | "x1" | "split" | "line">>(
  pieces: F[],
): F[] {
  const starts = pieces.filter((f, i) => f.split && i > 0 && pieces[i - 1].line === f.line)
    .map((f) => f.x0);
  if (starts.length < 2) return pieces;
  const edge = median(starts);
  const near = (x: number) => Math.abs(x - edge) <= 24;
  if (starts.filter(near).length < starts.length * 0.75) return pieces;
  const side = (f: F) => (f.x1 <= edge - 8 ? "left" : f.x0 >= edge - 24 ? "right" : "both");
  const alone = (which: string) => pieces.some((f) => !f.split && side(f) === which);
  if (!alone("left") || !alone("right")) return pieces;
  const first = pieces.findIndex((f) => side(f) !== "both");
  const before = pieces.slice(0, first);
  const rest = pieces.slice(first);
  return [
    ...before,
    ...rest.filter((f) => side(f) === "left"),
    ...rest.filter((f) => side(f) === "right"),
    ...rest.filter((f) => side(f) === "both"),
  ];
}

/**
 * The title and text of a screen: the title is the largest type in the upper half (ties go to the
 * higher line), the text every other line in tesseract's reading order.
 */
export function pageText(page: OcrPage): PageText {
  const pieces = readingOrder(page.lines.flatMap((l, i) => fragments(l, i)));
  let title: Fragment | null = null;
  for (const f of pieces) {
    if (f.y0 > page.height * TITLE_ZONE || (f.text.match(/[A-Za-z]/g)?.length ?? 0) < 3) continue;
    if (!title || f.size > title.size * 1.1 || (f.size >= title.size * 0.9 && f.y0 < title.y0)) {
      title = f;
    }
  }
  const words = page.lines.flatMap((l) => l.words).filter((w) =>
    w.confidence >= MIN_WORD_CONFIDENCE
  );
  const confidence = words.length === 0
    ? 0
    : words.reduce((sum, w) => sum + w.confidence, 0) / words.length / 100;
  return {
    title: title?.text ?? "",
    text: pieces.filter((f) => f !== title).map((f) => f.text).join("\n"),
    confidence: Math.round(confidence * 100) / 100,
  };
}

/** The words of a text, lowercased, for comparing screens. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []);
}

/** Dice similarity of two texts' word sets, 0–1. */
export function textSimilarity(a: string, b: string): number {
  const wa = wordsOf(a), wb = wordsOf(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return (2 * common) / (wa.size + wb.size);
}

/** A step before it is stored. */
export interface DraftStep extends PageText {
  timestamp: number;
  /** Index of the sampled frame shown for the step. */
  frame: number;
}

/**
 * Makes the guide's steps from the screens in time order: a screen without text is dropped, one
 * whose text nearly repeats the step before it (a hover, a tooltip, the cursor over a word) is
 * folded into it, keeping the earlier time and the later, more complete frame.
 */
export function mergeSteps(screens: DraftStep[]): DraftStep[] {
  const steps: DraftStep[] = [];
  for (const s of screens) {
    if (wordsOf(`${s.title} ${s.text}`).size === 0) continue;
    const prev = steps.at(-1);
    if (prev && textSimilarity(`${prev.title} ${prev.text}`, `${s.title} ${s.text}`) >= SAME_TEXT) {
      steps[steps.length - 1] = { ...s, timestamp: prev.timestamp };
      continue;
    }
    steps.push(s);
  }
  return steps;
}
