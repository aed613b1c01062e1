import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { jobRunnerFor, startJobs, startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser, signInContext } from "../test_support/browser.ts";
import { uploadRecording, waitFor, waitForDoc, waitForStatus } from "../test_support/helpers.ts";
import { CONSOLE_SLIDES, makeSlideRecording } from "../test_support/slides.ts";
import { videoMetadata } from "./helpers.ts";

const SCREENSHOTS = new URL("../docs/screenshots/", import.meta.url).pathname;

/** A page signed in as the test account, which owns the videos the test uploads. */
async function ownerPage(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  server: { url: string; cookie: string },
) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await signInContext(context, server.url, server.cookie);
  return await context.newPage();
}

async function currentTime(page: Page): Promise<number> {
  return await page.getByTestId("player").evaluate((v: HTMLVideoElement) => v.currentTime);
}

Deno.test({
  name: "steps arrive live in the player, the guide page edits them, search seeks to a step",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rec = await makeSlideRecording(CONSOLE_SLIDES);
    // Auto-doc is held back until the page is open, to watch the guide arrive.
    await using server = await startTestServer({}, { jobOptions: { kinds: ["remux"] } });
    const { id } = await uploadRecording(server, rec.path, {
      title: "Northwind setup",
    });
    await waitForStatus(server.url, id, "ready");
    const browser = await launchBrowser();
    const runner = jobRunnerFor(server, ["autodoc"]);
    try {
      const page = await ownerPage(browser, server);
      await page.goto(`${server.url}/v/${id}`);
      await videoMetadata(page);
      await page.getByTestId("tab-steps").click();
      await page.getByTestId("doc-progress").filter({ hasText: "queued" }).waitFor();

      runner.start();
      await page.getByTestId("step").nth(4).waitFor({ timeout: 120_000 });
      assert.equal(await page.getByTestId("step").count(), 5);
      await page.getByTestId("doc-progress").waitFor({ state: "detached", timeout: 10_000 });
      // Steps have their own markers, numbered; comments keep theirs.
      assert.equal(await page.getByTestId("step-marker").count(), 5);
      assert.equal(await page.getByTestId("marker").count(), 0);
      assert.deepEqual(await page.getByTestId("step-marker").allInnerTexts(), [
        "1",
        "2",
        "3",
        "4",
        "5",
      ]);
      await waitFor(
        () =>
          page.locator("[data-testid=step] img").evaluateAll((imgs) =>
            imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)
          ),
        10_000,
        "the step thumbnails",
      );
      await page.getByTestId("step").nth(2).click();
      await waitFor(
        async () => Math.abs((await currentTime(page)) - rec.starts[2]) < 0.2,
        5000,
        "the seek to step 3",
      );
      await page.getByTestId("step").nth(2).and(page.locator("[aria-current=step]")).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, "player-steps.png") });

      // The guide page: edit a title, move the last step up, delete the first.
      await page.goto(`${server.url}/v/${id}/doc`);
      const titles = page.getByTestId("guide-title");
      assert.deepEqual(await titles.allInnerTexts(), CONSOLE_SLIDES.map((s) => s.heading));
      await page.screenshot({ path: join(SCREENSHOTS, "guide.png"), fullPage: false });
      const step2 = page.getByTestId("guide-step").nth(1);
      await step2.getByTestId("edit-step").click();
      await step2.getByTestId("edit-title").fill("Invite the team");
      await step2.getByRole("button", { name: "Save" }).click();
      await step2.getByTestId("guide-title").filter({ hasText: "Invite the team" }).waitFor();
      await page.getByTestId("guide-step").nth(4).getByTestId("move-up").click();
      await titles.nth(3).filter({ hasText: "Publish the walkthrough" }).waitFor();
      page.once("dialog", (d) => d.accept());
      await page.getByTestId("guide-step").nth(0).getByTestId("delete-step").click();
      await waitFor(async () => (await titles.count()) === 4, 5000, "the deleted step gone");
      const expected = [
        "Invite the team",
        "Connect the storage bucket",
        "Publish the walkthrough",
        "Configure billing alerts",
      ];
      await page.reload();
      assert.deepEqual(await titles.allInnerTexts(), expected);
      // Printed: no page header, no edit buttons.
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.getByTestId("edit-step").first().isVisible(), false);
      assert.equal(await page.locator("body > header").isVisible(), false);

      // Another viewer's player shows the edited guide.
      const viewer = await (await browser.newContext()).newPage();
      await viewer.goto(`${server.url}/v/${id}`);
      await viewer.getByTestId("tab-steps").click();
      await viewer.getByTestId("step").nth(3).waitFor();
      const listed = await viewer.getByTestId("step").allInnerTexts();
      assert.deepEqual(listed.map((t) => t.split("\n")[0].replace(/^\d+\.\s*/, "")), expected);

      // A word only shown on screen, found from the owner's library, opens the player at its step.
      await page.emulateMedia({ media: "screen" });
      await page.goto(`${server.url}/`);
      assert.equal(await page.getByTestId("guide-link").getAttribute("href"), `/v/${id}/doc`);
      await page.getByTestId("search-input").fill("quarterly");
      await page.getByTestId("search-input").press("Enter");
      const hit = page.getByTestId("search-hit");
      await hit.first().waitFor();
      assert.equal(await hit.count(), 1);
      assert.equal(await hit.getAttribute("data-kind"), "step");
      assert.match(await hit.locator("mark").innerText(), /quarterly/i);
      await page.screenshot({ path: join(SCREENSHOTS, "search.png") });
      await hit.click();
      await videoMetadata(page);
      await waitFor(
        async () => {
          const t = await currentTime(page);
          return t >= rec.starts[3] && t < rec.starts[4];
        },
        5000,
        "the player at the step of slide 4",
      );
      await page.getByTestId("tab-steps").click();
      const active = page.locator("[data-testid=step][aria-current=step]");
      assert.match(await active.innerText(), /Configure billing alerts/);
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await runner.stop();
      await browser.close();
    }
  },
});

Deno.test({
  name: "a guide that failed shows its reason in the player and on the guide page",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rec = await makeSlideRecording(CONSOLE_SLIDES.slice(0, 2));
    await using server = await startTestServer({}, { jobOptions: { kinds: ["remux"] } });
    const { id } = await uploadRecording(server, rec.path);
    await waitForStatus(server.url, id, "ready");
    const runner = startJobs(server, ["autodoc"], { ffmpegPath: "/nonexistent/ffmpeg" });
    const browser = await launchBrowser();
    try {
      await waitForDoc(server.url, id, "failed");
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${server.url}/v/${id}`);
      await page.getByTestId("tab-steps").click();
      assert.equal(
        await page.getByTestId("doc-error").innerText(),
        "The guide could not be made: ffmpeg not found: install it or set FFMPEG_PATH",
      );
      await page.goto(`${server.url}/v/${id}/doc`);
      assert.match(await page.getByTestId("doc-status").innerText(), /ffmpeg not found/);
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await runner.stop();
      await browser.close();
    }
  },
});
