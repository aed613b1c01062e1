import assert from "node:assert/strict";
import { type DraftStep, mergeSteps, pageText, readingOrder, textSimilarity } from "./page.ts";
import type { OcrLine, OcrWord } from "./ocr.ts";

/** A line of words laid out left to right from `x`, `size` pixels tall. */
function line(words: string, x: number, y: number, size: number, conf = 95): OcrLine {
  let at = x;
  const ws: OcrWord[] = words.split(" ").map((text) => {
    const w = {
      text,
      confidence: conf,
      x0: at,
      y0: y,
      x1: at + text.length * size * 0.55,
      y1: y + size,
    };
    at = w.x1 + size * 0.3;
    return w;
  });
  return { words: ws, confidence: conf, rowHeight: size, y0: y, y1: y + size };
}

Deno.test("the title is the largest type in the upper half; the rest is the text in order", () => {
  const page = {
    width: 1280,
    height: 720,
    lines: [
      line("Acme Console", 28, 22, 26),
      line("Create a project", 300, 110, 44),
      line("Choose a unique name.", 300, 200, 24),
      line("Huge footer banner", 300, 600, 60), // large, but low on the screen
    ],
  };
  assert.deepEqual(pageText(page), {
    title: "Create a project",
    text: "Acme Console\nChoose a unique name.\nHuge footer banner",
    confidence: 0.95,
  });
});

Deno.test("a side menu joined to the heading's line is split off and not taken for the title", () => {
  // tesseract read "Dashboard" (menu, 22 px) and the heading (44 px) as one row of height 43.
  const joined = line("Dashboard", 26, 100, 22);
  const heading = line("Create a project", 280, 100, 44);
  const page = {
    width: 1280,
    height: 720,
    lines: [{ ...joined, words: [...joined.words, ...heading.words], rowHeight: 43 }],
  };
  const read = pageText(page);
  assert.equal(read.title, "Create a project");
  assert.equal(read.text, "Dashboard");
});

Deno.test("low-confidence noise is dropped; a page without text has no title", () => {
  const page = { width: 1280, height: 720, lines: [line("~ |", 10, 10, 30, 20)] };
  assert.deepEqual(pageText(page), { title: "", text: "", confidence: 0 });
});

Deno.test("steps: textless screens dropped, near-repeats folded into the step before", () => {
  const s = (timestamp: number, title: string, text: string, frame = timestamp * 2): DraftStep => ({
    timestamp,
    title,
    text,
    confidence: 0.9,
    frame,
  });
  const steps = mergeSteps([
    s(0, "", ""),
    s(2, "Invite your teammates", "Type an email address and pick a role for each person."),
    // The same screen with a tooltip showing one more word.
    s(5, "Invite your teammates", "Type an email address and pick a role for each person. Help"),
    s(9, "Billing", "Set a monthly budget."),
  ]);
  assert.deepEqual(steps.map((x) => [x.timestamp, x.title, x.frame]), [
    [2, "Invite your teammates", 10],
    [9, "Billing", 18],
  ]);
  assert.equal(textSimilarity("a b", "c d"), 1, "one-letter words do not count");
  assert.equal(textSimilarity("alpha beta", "beta gamma"), 0.5);
});

/** Two pieces of text on one row, as tesseract joins them. */
function joined(left: string, right: string, y: number, rightSize = 24): OcrLine {
  const a = line(left, 28, y, 22), b = line(right, 300, y, rightSize);
  return { ...a, words: [...a.words, ...b.words], rowHeight: rightSize };
}

Deno.test("a side menu glued to the page's rows is read before the page, a table is not split", () => {
  const sidebar = {
    width: 1280,
    height: 720,
    lines: [
      line("Northwind Console", 28, 22, 26),
      joined("Overview", "Invite your teammates", 110, 44),
      line("Projects", 28, 158, 22),
      joined("Billing", "Type an email address.", 200),
      joined("Settings", "Editors can trim recordings.", 248),
      line("Invitations expire after seven days.", 300, 296, 24),
    ],
  };
  const read = pageText(sidebar);
  assert.equal(read.title, "Invite your teammates");
  assert.equal(
    read.text,
    "Northwind Console\nOverview\nProjects\nBilling\nSettings\nType an email address.\n" +
      "Editors can trim recordings.\nInvitations expire after seven days.",
  );
  // Every row split at the same place and nothing on its own: a table, read row by row.
  const table = [joined("Region", "eu-west-1", 100), joined("Plan", "Business", 140)]
    .flatMap((l, i) => [
      { x0: l.words[0].x0, x1: l.words[0].x1, split: true, line: i, text: l.words[0].text },
      { x0: l.words[1].x0, x1: l.words.at(-1)!.x1, split: true, line: i, text: "v" },
    ]);
  assert.deepEqual(readingOrder(table), table);
});
