/** Scoring what OCR read against what was on screen. */

const STOP_WORDS = new Set(
  ("the and for are but not you your all any can her was one our out has have had him his how " +
    "its may new now see two way who did get let put say she too use with from this that they " +
    "them then than when what will each into only over some such very just also").split(" "),
);

/** The content words of a text: lowercased, three letters or more, stop words left out. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOP_WORDS.has(w));
}

/** Share of the expected text's content words (with repeats) that the read text holds, 0–1. */
export function wordRecall(expected: string, read: string): { recall: number; missed: string[] } {
  const found = new Map<string, number>();
  for (const w of contentWords(read)) found.set(w, (found.get(w) ?? 0) + 1);
  const want = contentWords(expected);
  const missed: string[] = [];
  for (const w of want) {
    const n = found.get(w) ?? 0;
    if (n > 0) found.set(w, n - 1);
    else missed.push(w);
  }
  return { recall: want.length === 0 ? 1 : (want.length - missed.length) / want.length, missed };
}
