/** `deno task build`: builds the browser assets and prints each page's weight. */
import { buildAssets, pruneBuild } from "./build.ts";

/** Which island bundles each page loads. */
const PAGES: { path: string; islands: string[]; goalKb: number | null }[] = [
  { path: "/", islands: ["Library"], goalKb: null },
  { path: "/record", islands: ["Recorder"], goalKb: 40 },
  { path: "/v/{id}", islands: ["Player"], goalKb: 80 },
  { path: "/v/{id}/doc", islands: ["Guide"], goalKb: null },
];

if (import.meta.main) {
  const t0 = performance.now();
  const manifest = await buildAssets();
  const removed = await pruneBuild(manifest);
  console.log(
    `built in ${(performance.now() - t0).toFixed(0)} ms (${removed.length} old files removed)`,
  );
  const css = manifest.gzipBytes[manifest.css];
  console.log(`\npage       JS gzip   + CSS gzip   goal (JS)`);
  for (const page of PAGES) {
    const js = page.islands.reduce((n, name) => n + manifest.gzipBytes[manifest.islands[name]], 0);
    const goal = page.goalKb === null
      ? "-"
      : `≤ ${page.goalKb} KB ${js / 1024 <= page.goalKb ? "ok" : "MISSED"}`;
    console.log(
      `${page.path.padEnd(10)} ${(js / 1024).toFixed(1).padStart(6)} KB ${
        (css / 1024).toFixed(1).padStart(7)
      } KB   ${goal}`,
    );
  }
}
