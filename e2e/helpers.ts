/** What the browser tests share: a page with a spy on MediaRecorder's chunks, and recording. */
import type { Browser, Page } from "playwright-core";
import type { Sql } from "../lib/db/mod.ts";
import { makeWebm } from "../test_support/media.ts";
import { signInContext } from "../test_support/browser.ts";
import { uploadRecording, waitForStatus } from "../test_support/helpers.ts";

/**
 * Runs in the page before its scripts: keeps every chunk MediaRecorder emits (in memory, and their
 * sizes in localStorage so they outlive a reload), so a test can compare with what the server holds.
 */
const CHUNK_SPY = `(() => {
  window.__chunks = [];
  const start = MediaRecorder.prototype.start;
  MediaRecorder.prototype.start = function (...args) {
    this.addEventListener("dataavailable", (e) => {
      if (!e.data || e.data.size === 0) return;
      window.__chunks.push(e.data);
      const sizes = JSON.parse(localStorage.getItem("__chunkSizes") || "[]");
      sizes.push(e.data.size);
      localStorage.setItem("__chunkSizes", JSON.stringify(sizes));
    });
    // The page moves on after Stop: the digest of everything recorded is kept for the test.
    this.addEventListener("stop", async () => {
      const digest = await crypto.subtle.digest("SHA-256", await new Blob(window.__chunks).arrayBuffer());
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("__chunkSha256", hex);
    });
    return start.apply(this, args);
  };
})();`;

/** A recorder page at `baseUrl`, signed in with `cookie`, with the chunk spy installed. */
export async function recorderPage(
  browser: Browser,
  baseUrl: string,
  cookie: string,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await signInContext(context, baseUrl, cookie);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  await context.addInitScript(CHUNK_SPY);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/record`);
  return page;
}

/** Starts recording screen + camera + microphone and waits for the countdown to end. */
export async function startRecording(page: Page): Promise<void> {
  await page.getByTestId("source-both").click();
  await page.getByTestId("start").click();
  await page.getByTestId("stop").waitFor({ timeout: 15_000 });
}

/** Sizes of the chunks MediaRecorder emitted on this origin (also before a reload). */
export async function producedSizes(page: Page): Promise<number[]> {
  return await page.evaluate(() => JSON.parse(localStorage.getItem("__chunkSizes") || "[]"));
}

/** SHA-256 (hex) of every chunk the recorder page's MediaRecorder emitted, concatenated. */
export async function producedSha256(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => localStorage.getItem("__chunkSha256"));
  return await handle.jsonValue() as string;
}

/** How many chunks, and how many bytes, the server holds for a finished recording. */
export async function storedChunks(
  sql: Sql,
  id: string,
): Promise<{ count: number; bytes: number }> {
  const [row] = await sql`
    SELECT (SELECT max(last_seq) FROM video_parts WHERE video_id = ${id}) AS last_seq,
      size_bytes FROM videos WHERE id = ${id}`;
  return { count: row.last_seq + 1, bytes: Number(row.size_bytes) };
}

/** Streams a 10-second recording made by ffmpeg to the server and waits until it is ready. */
export async function seedReadyVideo(
  server: { url: string; cookie: string },
  title: string,
): Promise<string> {
  const rec = await uploadRecording(server, await makeWebm(10, 800), {
    title,
    mimeType: "video/webm",
    chunks: 4,
  });
  await waitForStatus(server.url, rec.id, "ready");
  return rec.id;
}

/** Waits until the page's player knows the video's duration. */
export async function videoMetadata(page: Page): Promise<void> {
  await page.getByTestId("player").evaluate((v: HTMLVideoElement) =>
    new Promise<void>((resolve) => {
      if (v.readyState >= 1) return resolve();
      v.addEventListener("loadedmetadata", () => resolve(), { once: true });
    })
  );
}
