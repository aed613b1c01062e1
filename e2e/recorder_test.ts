import assert from "node:assert/strict";
import { join } from "node:path";
import { startJobs, startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser, signInContext } from "../test_support/browser.ts";
import { getVideoJson, waitFor, waitForRendition, waitForStatus } from "../test_support/helpers.ts";
import { probeMedia } from "../test_support/media.ts";
import { recorderPage } from "./helpers.ts";

const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url).pathname;

Deno.test({
  name:
    "record 10 s of screen, camera bubble and microphone: the video page shows within 1 s of Stop",
  async fn() {
    // The MP4 of this real recording is made after the timing, so it cannot slow the page down.
    await using server = await startTestServer({ RENDITIONS: "true" }, {
      jobOptions: { kinds: ["remux", "autodoc"] },
    });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await signInContext(context, server.url, server.cookie);
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
      const pageErrors: string[] = [];
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await page.goto(`${server.url}/record`);
      await page.getByTestId("source-both").click();
      await page.getByTestId("start").click();
      await page.getByTestId("stop").waitFor({ timeout: 30_000 });
      // The recording itself: 10 s of screen, camera and microphone (a duration, not a wait).
      await page.waitForTimeout(10_000);
      await Deno.mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, "recorder.png") });

      // Timed in the browser, from the Stop click to the video page's first paint: what the
      // person sees, without the test driver's own latency (large while the page is encoding).
      await page.evaluate(() =>
        document.addEventListener("click", (e) => {
          if ((e.target as Element).closest("[data-testid=stop]")) {
            sessionStorage.setItem("stopClickedAt", String(performance.timeOrigin + e.timeStamp));
          }
        }, { capture: true })
      );
      const clicked = performance.now();
      await page.getByTestId("stop").click();
      await page.waitForURL(/\/v\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      await page.getByTestId("player").waitFor({ state: "visible", timeout: 30_000 });
      const driverMs = performance.now() - clicked;
      const showingMs = await page.evaluate(async () => {
        // First contentful paint: the page with its video is on screen.
        const paint = await new Promise<number>((resolve) =>
          new PerformanceObserver((list, observer) => {
            const fcp = list.getEntries().find((e) => e.name === "first-contentful-paint");
            if (fcp) {
              observer.disconnect();
              resolve(fcp.startTime);
            }
          }).observe({ type: "paint", buffered: true })
        );
        return performance.timeOrigin + paint - Number(sessionStorage.getItem("stopClickedAt"));
      });
      console.log(
        `stop → video page showing: ${showingMs.toFixed(0)} ms (as the test driver saw it: ` +
          `${driverMs.toFixed(0)} ms)`,
      );
      assert.ok(showingMs > 0, "the click was timed");
      assert.ok(showingMs < 1000, `the video page showed ${showingMs.toFixed(0)} ms after Stop`);
      const id = page.url().split("/").at(-1)!;
      assert.equal(
        await page.evaluate(() => navigator.clipboard.readText()),
        `${server.url}/v/${id}`,
      );

      // It plays: currentTime advances.
      await page.getByTestId("player").evaluate((v: HTMLVideoElement) => {
        v.muted = true;
        return v.play();
      });
      await waitFor(
        () => page.getByTestId("player").evaluate((v: HTMLVideoElement) => v.currentTime > 0.5),
        30_000,
        "playback to advance",
      );
      const ready = await waitForStatus(server.url, id, "ready", 60_000);
      // About 10 s were recorded: how much more depends on how fast the test driver clicks, so the
      // file is checked against the recorder's own clock, which it sent with `finish`.
      const [{ client_duration_ms: recordedMs }] = await server.services.db.sql`
        SELECT client_duration_ms FROM videos WHERE id = ${id}`;
      const recordedS = Number(recordedMs) / 1000;
      assert.ok(recordedS >= 10 && recordedS < 13, `recorded ${recordedS} s`);
      assert.ok(
        Math.abs((ready.duration as number) - recordedS) <= 1,
        `duration ${ready.duration}, recorded ${recordedS} s`,
      );
      const video = await getVideoJson(server.url, id);
      assert.equal(video.mimeType, "video/webm");

      // Chromium's own WebM (frames when the screen changes, no cues) becomes a playable MP4.
      await using _renditions = startJobs(server, ["rendition"]);
      const done = await waitForRendition(server.url, id, "done", 180_000);
      const sources = done.sources as { type: string; url: string }[];
      const files: Record<string, string> = {};
      for (const source of sources) {
        const kind = source.type.startsWith("video/mp4") ? "mp4" : "webm";
        files[kind] = await Deno.makeTempFile({ suffix: `.${kind}` });
        await Deno.writeFile(
          files[kind],
          new Uint8Array(await (await fetch(source.url)).arrayBuffer()),
        );
      }
      try {
        const [webm, mp4] = [await probeMedia(files.webm), await probeMedia(files.mp4)];
        // The same streams, H.264 for the video and AAC for any sound (this one has none).
        const expected = webm.streams.map((x) => x.codec_type === "video" ? "h264" : "aac");
        assert.deepEqual(mp4.streams.map((x) => x.codec_name).sort(), expected.sort());
        // At most level 4.2 (2a): what phones accept for 1080p.
        const level = /avc1\.6400([0-9a-f]{2})/.exec(
          sources.find((x) => x.type.includes("mp4"))!.type,
        );
        assert.ok(level && parseInt(level[1], 16) <= 42, `level ${level?.[1]}`);
        assert.ok(
          Math.abs(mp4.duration - webm.duration) <= 0.1,
          `${mp4.duration} vs ${webm.duration}`,
        );
      } finally {
        for (const f of Object.values(files)) await Deno.remove(f).catch(() => {});
      }
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "pause stops the clock, resume restarts it, cancel discards the recording and keeps the setup",
  async fn() {
    await using server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const page = await recorderPage(browser, server.url, server.cookie);
      page.on("dialog", (d) => d.accept()); // "Discard this recording?"
      await page.getByTestId("source-screen").click();
      await page.getByTestId("start").click();
      await page.getByTestId("stop").waitFor({ timeout: 30_000 });
      await waitFor(
        async () => (await page.getByTestId("elapsed").innerText()) >= "0:02",
        15_000,
        "two seconds recorded",
      );
      await page.getByTestId("pause").click();
      await page.getByTestId("pause").filter({ hasText: "Resume" }).waitFor();
      const paused = await page.getByTestId("elapsed").innerText();
      await page.waitForTimeout(2500); // the clock must not move while paused
      assert.equal(await page.getByTestId("elapsed").innerText(), paused);
      await page.getByTestId("pause").click();
      await waitFor(
        async () => (await page.getByTestId("elapsed").innerText()) > paused,
        10_000,
        "the clock to run again",
      );
      const [video] = await server.services.db.sql`SELECT id FROM videos`;
      await page.getByTestId("cancel").click();
      await page.getByTestId("start").waitFor({ timeout: 15_000 });
      const v = await waitFor(
        async () => {
          const [row] = await server.services.db
            .sql`SELECT status FROM videos WHERE id = ${video.id}`;
          return row.status === "cancelled" ? row : null;
        },
        15_000,
        "the video to be cancelled",
      );
      assert.equal(v.status, "cancelled");
      assert.deepEqual(cspViolations(browser), []);
    } finally {
      await browser.close();
    }
  },
});
