import assert from "node:assert/strict";
import { startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser } from "../test_support/browser.ts";
import { CuttableProxy } from "../test_support/proxy.ts";
import { originalKey, readObject, waitFor } from "../test_support/helpers.ts";
import { sha256 } from "../test_support/media.ts";
import {
  producedSha256,
  producedSizes,
  recorderPage,
  startRecording,
  storedChunks,
} from "./helpers.ts";

const browserTest = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  ...browserTest,
  name: "a 5-second network cut mid-recording loses no chunk",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const proxy = new CuttableProxy(server.port);
    const browser = await launchBrowser();
    try {
      const page = await recorderPage(browser, proxy.url, server.cookie);
      await startRecording(page);
      await page.waitForTimeout(4000);
      proxy.cut();
      await page.getByTestId("connection").filter({ hasText: "Reconnecting" }).waitFor({
        timeout: 5000,
      });
      await page.waitForTimeout(5000);
      proxy.restore();
      await page.getByTestId("connection").filter({ hasText: "Connected" }).waitFor({
        timeout: 15_000,
      });
      await page.waitForTimeout(3000);
      await page.getByTestId("stop").click();
      await page.waitForURL(/\/v\/[0-9a-f-]{36}$/, { timeout: 20_000 });
      const id = page.url().split("/").at(-1)!;

      const sizes = await producedSizes(page);
      const stored = await storedChunks(server.services.db.sql, id);
      assert.ok(sizes.length >= 4, `${sizes.length} chunks recorded`);
      assert.equal(stored.count, sizes.length, "every chunk the recorder produced");
      assert.equal(stored.bytes, sizes.reduce((a, b) => a + b, 0));
      const object = await readObject(server.services.storage, originalKey(id));
      assert.equal(sha256(object), await producedSha256(page), "byte for byte");
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
      proxy.close();
    }
  },
});

Deno.test({
  ...browserTest,
  name:
    "a tab reloaded mid-recording offers to finish it, and the video holds every chunk recorded",
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const browser = await launchBrowser();
    try {
      const page = await recorderPage(browser, server.url, server.cookie);
      await startRecording(page);
      await page.waitForTimeout(7000);
      // Reload once the recorder has stored what MediaRecorder gave it, keeping the digest of
      // those chunks (the page's memory goes with the reload; its stop-time digest never comes).
      const recorded = await waitFor(
        () =>
          page.evaluate(async () => {
            const chunks = [...(window as unknown as { __chunks: Blob[] }).__chunks];
            const stored = await new Promise<number>((resolve) => {
              const req = indexedDB.open("videoflow-recorder");
              req.onsuccess = () => {
                const all = req.result.transaction("recordings").objectStore("recordings").getAll();
                all.onsuccess = () => resolve(Math.max(-1, ...all.result.map((r) => r.lastSeq)));
              };
            });
            if (chunks.length < 2 || stored !== chunks.length - 1) return null;
            const digest = await crypto.subtle.digest(
              "SHA-256",
              await new Blob(chunks).arrayBuffer(),
            );
            const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0"));
            return { sizes: chunks.map((c) => c.size), sha256: hex.join("") };
          }),
        30_000,
        "the recorder to store its chunks",
      );
      await page.reload();

      await page.getByTestId("resume-offer").waitFor({ timeout: 30_000 });
      await page.getByTestId("resume-finish").click();
      await page.waitForURL(/\/v\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      const id = page.url().split("/").at(-1)!;
      const stored = await storedChunks(server.services.db.sql, id);
      assert.equal(stored.count, recorded.sizes.length);
      assert.equal(stored.bytes, recorded.sizes.reduce((a, b) => a + b, 0));
      // The stored object is, byte for byte, the chunks the browser had recorded.
      const object = await readObject(server.services.storage, originalKey(id));
      assert.equal(sha256(object), recorded.sha256, "byte for byte");
      const video = await (await fetch(`${server.url}/api/videos/${id}`)).json();
      assert.equal(video.status, "processing");
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});
