import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { jobRunnerFor, startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser } from "../test_support/browser.ts";
import { makeWebm, probeMedia } from "../test_support/media.ts";
import {
  uploadRecording,
  waitFor,
  waitForRendition,
  waitForStatus,
} from "../test_support/helpers.ts";
import { videoMetadata } from "./helpers.ts";

/** Makes the page's browser say it plays no WebM, as Safari on an iPhone does. */
function withoutWebm(): void {
  const original = HTMLMediaElement.prototype.canPlayType;
  HTMLMediaElement.prototype.canPlayType = function (type: string) {
    return /^\s*video\/webm/i.test(type) ? "" : original.call(this, type);
  };
}

function currentSrc(page: Page): Promise<string> {
  return page.getByTestId("player").evaluate((v: HTMLVideoElement) => v.currentSrc);
}

/** Plays a second, muted; returns the element's duration and how far it got. */
function playABit(page: Page): Promise<{ duration: number; time: number }> {
  return page.getByTestId("player").evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
    await new Promise((r) => setTimeout(r, 1200));
    v.pause();
    return { duration: v.duration, time: v.currentTime };
  });
}

Deno.test({
  name: "a browser without WebM waits for the MP4 and plays it; the WebM plays elsewhere meanwhile",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The rendition is held back until the pages are open, to watch it arrive.
    await using server = await startTestServer({ RENDITIONS: "true" }, {
      jobOptions: { kinds: ["remux", "autodoc"] },
    });
    const { id } = await uploadRecording(server, await makeWebm(8, 800), {
      title: "Release notes",
    });
    await waitForStatus(server.url, id, "ready");
    const dir = await Deno.makeTempDir({ prefix: "videoflow-e2e-rendition-" });
    const browser = await launchBrowser();
    const runner = jobRunnerFor(server, ["rendition"]);
    try {
      // A browser with WebM plays the remuxed WebM while the MP4 is being made.
      const chrome = await (await browser.newContext()).newPage();
      await chrome.goto(`${server.url}/v/${id}`);
      await videoMetadata(chrome);
      assert.match(await currentSrc(chrome), /\/video\.webm\?/);
      assert.ok((await playABit(chrome)).time > 0.5, "the WebM plays");

      const phoneContext = await browser.newContext();
      await phoneContext.addInitScript(withoutWebm);
      const phone = await phoneContext.newPage();
      await phone.goto(`${server.url}/v/${id}`);
      assert.equal(
        await phone.evaluate(() => document.createElement("video").canPlayType("video/webm")),
        "",
        "the page is told it plays no WebM",
      );
      await phone.getByTestId("rendition-wait").filter({ hasText: "Making a version" }).waitFor();

      runner.start();
      const done = await waitForRendition(server.url, id, "done");
      // The open page picks the MP4 up by itself.
      await waitFor(
        async () => /\/rendition\.mp4\?/.test(await currentSrc(phone)),
        20_000,
        "the MP4",
      );
      await videoMetadata(phone);
      assert.equal(await phone.getByTestId("rendition-wait").count(), 0);
      const played = await playABit(phone);
      assert.ok(played.time > 0.5, `the MP4 plays (${played.time} s)`);

      // H.264 + AAC, moov first (checked in the worker's test), and the same length as the WebM.
      const sources = done.sources as { type: string; url: string }[];
      // The WebM is the smaller, listed first: only the page's own choice brings the MP4.
      assert.match(sources[0].type, /^video\/webm/, JSON.stringify(sources.map((s) => s.type)));
      const files: Record<string, string> = {};
      for (const s of sources) {
        const path = join(dir, s.type.startsWith("video/mp4") ? "v.mp4" : "v.webm");
        await Deno.writeFile(path, new Uint8Array(await (await fetch(s.url)).arrayBuffer()));
        files[s.type.startsWith("video/mp4") ? "mp4" : "webm"] = path;
      }
      const [mp4, webm] = [await probeMedia(files.mp4), await probeMedia(files.webm)];
      assert.deepEqual(mp4.streams.map((s) => s.codec_name).sort(), ["aac", "h264"]);
      assert.ok(
        Math.abs(mp4.duration - webm.duration) <= 0.1,
        `${mp4.duration} vs ${webm.duration}`,
      );
      assert.ok(
        Math.abs(played.duration - mp4.duration) <= 0.1,
        `${played.duration} vs ${mp4.duration}`,
      );

      // Opened afresh, the page goes straight to the MP4; a browser with WebM gets the smaller file.
      await phone.reload();
      await videoMetadata(phone);
      assert.match(await currentSrc(phone), /\/rendition\.mp4\?/);
      await chrome.reload();
      await videoMetadata(chrome);
      assert.match(await currentSrc(chrome), /\/video\.webm\?/);
      assert.deepEqual(cspViolations(browser), []);
    } finally {
      await runner.stop();
      await browser.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
