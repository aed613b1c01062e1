/**
 * Benchmarks: `deno task bench [name] [--quick]`. With a name, runs that benchmark; without, runs
 * them all. `--quick` runs a much smaller plan that only checks the benchmark works (its figures
 * mean nothing and are not written to `bench/results/`).
 */
import { runCollabBench } from "./collab.ts";
import { runIngestBench } from "./ingest.ts";
import { runAutodocBench } from "./autodoc.ts";
import { runRenditionBench } from "./rendition.ts";

/** The benchmarks by name, in the order "all" runs them. */
const BENCHMARKS: Record<string, (opts: { quick: boolean }) => Promise<unknown>> = {
  ingest: runIngestBench,
  collab: runCollabBench,
  autodoc: runAutodocBench,
  rendition: runRenditionBench,
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const names = Deno.args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0 || names.length > 1) {
    console.error(
      `usage: deno task bench [${Object.keys(BENCHMARKS).join("|")}] [--quick]` +
        (unknown.length > 0 ? ` (unknown benchmark: ${unknown.join(", ")})` : ""),
    );
    Deno.exit(2);
  }
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (names.length === 0 || names[0] === name) await run({ quick });
  }
}
