/** Tables of benchmark figures, as aligned text for the terminal and as Markdown for the README. */

/** A table: a title, column headers and rows of already formatted cells. */
export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
}

/** True for cells that read as numbers, which are right-aligned. */
function numeric(cell: string): boolean {
  return /^[-+]?[\d.]+\s*(×|%)?$/.test(cell) || /^[\d.]+%? (\/|–) /.test(cell);
}

/** The table as aligned plain text. */
export function textTable(t: Table): string {
  const widths = t.headers.map((h, i) =>
    Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length))
  );
  const line = (cells: string[], header = false) =>
    cells.map((c, i) => header || !numeric(c) ? c.padEnd(widths[i]) : c.padStart(widths[i]))
      .join("  ").trimEnd();
  return [
    t.title,
    line(t.headers, true),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...t.rows.map((r) => line(r)),
  ].join("\n");
}

/** The table as GitHub-flavoured Markdown, numbers right-aligned. */
export function markdownTable(t: Table): string {
  const esc = (c: string) => c.replaceAll("|", "\\|");
  const align = t.headers.map((_, i) => {
    const cells = t.rows.map((r) => r[i] ?? "");
    return cells.length > 0 && cells.every(numeric) ? "---:" : "---";
  });
  return [
    `| ${t.headers.map(esc).join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/**
 * Writes tables and notes to a Markdown file (creating its directory), headed with when and
 * where they were measured, so the README can include the file as it is.
 */
export async function writeMarkdown(
  file: URL,
  title: string,
  tables: Table[],
  notes: string[],
  totalMs: number,
): Promise<void> {
  const env = `${new Date().toISOString().slice(0, 10)}, ${navigator.hardwareConcurrency} CPU ` +
    `cores, ${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}; whole run ` +
    `${(totalMs / 1000).toFixed(0)} s`;
  const parts = [`### ${title}`, `_Measured ${env}._`];
  for (const t of tables) parts.push(`**${t.title}**`, markdownTable(t));
  parts.push(notes.map((n) => `- ${n}`).join("\n"));
  await Deno.mkdir(new URL(".", file), { recursive: true });
  await Deno.writeTextFile(file, parts.join("\n\n") + "\n");
  // `deno task check` runs `deno fmt --check` on the repository, this file included.
  await formatMarkdown(file);
  const name = file.pathname.split("/").at(-1)!.replace(/\.md$/, "");
  await updateReadme(name, await Deno.readTextFile(file));
}

async function formatMarkdown(file: URL): Promise<void> {
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", file.pathname],
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!fmt.success) console.warn(`deno fmt failed on ${file.pathname}`);
}

const README = new URL("../README.md", import.meta.url);

/**
 * Puts a benchmark's figures into the README, between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->`, so the README always shows the last full run.
 */
export async function updateReadme(name: string, markdown: string): Promise<void> {
  const text = await Deno.readTextFile(README);
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    console.warn(`README.md has no ${start} … ${end} section: figures not copied there`);
    return;
  }
  // The README's own headings are level 2; the figures sit one level below.
  const body = markdown.replace(/^### /m, "#### ");
  await Deno.writeTextFile(
    README,
    text.slice(0, i + start.length) + "\n\n" + body + "\n" + text.slice(j),
  );
  await formatMarkdown(README);
}

/**
 * Prints a benchmark's tables and notes and, unless it was a quick run (whose figures mean
 * nothing), writes them to `bench/results/NAME.md` and the README.
 */
export async function report(
  name: string,
  title: string,
  tables: Table[],
  notes: string[],
  totalMs: number,
  quick: boolean,
): Promise<void> {
  console.log();
  for (const t of tables) console.log(textTable(t) + "\n");
  for (const n of notes) console.log(`- ${n}`);
  console.log(`\ntotal time: ${(totalMs / 1000).toFixed(0)} s`);
  if (quick) return;
  const out = new URL(`./results/${name}.md`, import.meta.url);
  await writeMarkdown(out, title, tables, notes, totalMs);
  console.log(`written: ${out.pathname}`);
}

/**
 * Summarises what the app wrote to stderr, which the tables do not show: each distinct first line
 * (ids blanked, stack traces left out) with how often it came.
 */
export async function reportStderr(path: string): Promise<void> {
  const text = await Deno.readTextFile(path).catch(() => "");
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return;
  const heads = new Map<string, number>();
  for (const l of lines) {
    if (/^\s/.test(l) || l === "}") continue;
    const head = l.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>")
      .slice(0, 160);
    heads.set(head, (heads.get(head) ?? 0) + 1);
  }
  console.log(`app stderr: ${lines.length} line(s); distinct messages:`);
  for (const [head, n] of [...heads].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`  ${String(n).padStart(5)} × ${head}`);
  }
}
