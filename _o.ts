import { OcrPool } from "./lib/autodoc/ocr.ts";
import { pageText } from "./lib/autodoc/page.ts";
const pool = await OcrPool.start(2);
const t = performance.now();
const pages = await Promise.all(Deno.args.map((p) => pool.read(p)));
console.log(performance.now() - t);
for (const p of pages) console.log(pageText(p));
await pool.close();
