import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser } from "../test_support/browser.ts";
import { waitFor } from "../test_support/helpers.ts";
import { seedReadyVideo, videoMetadata } from "./helpers.ts";

async function ready(page: Page) {
  await page.getByTestId("collab-status").filter({ hasText: "Live" }).waitFor({ timeout: 30_000 });
  await videoMetadata(page);
}

Deno.test({
  name:
    "two viewers: a comment in one shows in the other's list, timeline and overlay within 1 s; presence and playheads",
  async fn() {
    await using server = await startTestServer();
    const videoId = await seedReadyVideo(server, "Design review");

    const browser = await launchBrowser();
    try {
      const open = async () => {
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } }))
          .newPage();
        await page.goto(`${server.url}/v/${videoId}`);
        await ready(page);
        return page;
      };
      const a = await open();
      const b = await open();
      await a.getByTestId("viewer").nth(1).waitFor({ timeout: 30_000 });
      await b.getByTestId("viewer").nth(1).waitFor({ timeout: 30_000 });
      assert.equal(await a.getByTestId("viewer").count(), 2);
      assert.equal(await b.getByTestId("viewer").count(), 2);

      // B watches around 4 s; A comments at 4 s.
      await b.getByTestId("player").evaluate((v: HTMLVideoElement) => (v.currentTime = 4.2));
      await a.getByTestId("player").evaluate((v: HTMLVideoElement) => (v.currentTime = 4));
      await a.getByTestId("comment-input").fill("Can we make this button bigger?");
      const t0 = performance.now();
      await a.getByTestId("comment-submit").click();
      // Waited for generously, so that a slow machine fails on the figure itself, not a timeout.
      await b.getByTestId("annotation").filter({ hasText: "bigger" }).waitFor({ timeout: 15_000 });
      await b.getByTestId("marker").first().waitFor({ timeout: 15_000 });
      await b.getByTestId("overlay").filter({ hasText: "bigger" }).waitFor({ timeout: 15_000 });
      const ms = performance.now() - t0;
      console.log(`comment from A in B's list, timeline and overlay: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 1000, `the comment showed in B's list, timeline and overlay in ${ms} ms`);

      // A's playhead mark moves on B's timeline.
      await a.getByTestId("player").evaluate((v: HTMLVideoElement) => (v.currentTime = 7));
      await waitFor(
        async () => {
          const time = await b.getByTestId("playhead-mark").first().getAttribute("data-time");
          return Math.abs(Number(time) - 7) < 0.5;
        },
        15_000,
        "A's playhead on B's timeline",
      );
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});
