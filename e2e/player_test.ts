import assert from "node:assert/strict";
import { join } from "node:path";
import { startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser, signInContext } from "../test_support/browser.ts";
import { waitFor } from "../test_support/helpers.ts";
import { seedReadyVideo, videoMetadata } from "./helpers.ts";

const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url).pathname;

Deno.test({
  name: "a comment at 3 s survives a reload, sits at 3 s on the timeline and shows over the video",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using server = await startTestServer();
    const videoId = await seedReadyVideo(server, "Onboarding walkthrough");

    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await signInContext(context, server.url, server.cookie);
      const page = await context.newPage();
      await page.goto(`${server.url}/v/${videoId}`);
      const player = page.getByTestId("player");
      await videoMetadata(page);
      await player.evaluate((v: HTMLVideoElement) => (v.currentTime = 3));
      await waitFor(() => player.evaluate((v: HTMLVideoElement) => !v.seeking), 5000, "the seek");
      await page.locator("body").press("c");
      await page.getByTestId("comment-input").fill("The pricing table starts here");
      await page.getByTestId("comment-submit").click();
      await page.getByTestId("annotation").filter({ hasText: "The pricing table" }).waitFor();

      await page.reload();
      const annotation = page.getByTestId("annotation").filter({ hasText: "The pricing table" });
      await annotation.waitFor();
      assert.match(await annotation.innerText(), /0:03/);
      const marker = page.getByTestId("marker");
      assert.equal(await marker.count(), 1);
      assert.ok(Math.abs(Number(await marker.getAttribute("data-timestamp")) - 3) < 0.3);
      // Its place on the timeline: 3 s of 10 s.
      await waitFor(
        async () => {
          const bar = (await page.getByTestId("timeline").boundingBox())!;
          const dot = (await marker.boundingBox())!;
          const at = (dot.x + dot.width / 2 - bar.x) / bar.width;
          return Math.abs(at - 0.3) < 0.03;
        },
        5000,
        "the marker at 30% of the timeline",
      );

      // Playback passing 3 s brings it over the video.
      const overlay = page.getByTestId("overlay");
      assert.equal(await overlay.innerText(), "");
      await player.evaluate((v: HTMLVideoElement) => {
        v.muted = true;
        v.currentTime = 2;
        return v.play();
      });
      await overlay.filter({ hasText: "The pricing table starts here" }).waitFor({ timeout: 5000 });
      await page.waitForTimeout(600);
      await player.evaluate((v: HTMLVideoElement) => v.pause());
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, "player.png") });

      await page.goto(server.url);
      await page.getByTestId("video-card").first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, "library.png") });
      // Narrow screens too: no page scrolls sideways at 390 px.
      await page.setViewportSize({ width: 390, height: 844 });
      for (const path of ["/", "/record", `/v/${videoId}`]) {
        await page.goto(server.url + path);
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth > innerWidth
        );
        assert.equal(overflow, false, `${path} scrolls sideways at 390 px`);
      }
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});
