import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser, signInContext } from "../test_support/browser.ts";
import { describeViolations, seriousViolations } from "../test_support/axe.ts";
import { getVideoJson } from "../test_support/helpers.ts";
import { replaceSteps, stepImageKey, stepUid } from "../lib/guide.ts";
import { markGuideDone } from "../lib/videos/lifecycle.ts";
import { seedReadyVideo, videoMetadata } from "./helpers.ts";

/** A guide of two steps with screenshots, written as auto-doc writes one. */
async function seedGuide(server: TestServer, id: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "videoflow-a11y-" });
  try {
    const image = join(dir, "step.jpg");
    const ffmpeg = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180", "-frames:v", "1", image],
      stdout: "null",
    }).output();
    assert.ok(ffmpeg.success, new TextDecoder().decode(ffmpeg.stderr));
    const steps = [
      { timestamp: 1, title: "Open the billing settings", text: "Billing · Plans · Invoices" },
      { timestamp: 6, title: "Configure billing alerts", text: "Alert me above 500 EUR" },
    ].map((s, i) => ({ ...s, imageKey: stepImageKey(id, stepUid(id, i + 1)), confidence: 0.9 }));
    for (const s of steps) await server.services.storage.putFile(s.imageKey, image, "image/jpeg");
    const room = (await server.services.rooms.open(id))!;
    await replaceSteps(room, steps);
    await markGuideDone(server.services.db.sql, id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A page in a browser context of its own, signed in with `cookie` when given. */
async function newPage(browser: Browser, url: string, cookie?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (cookie) await signInContext(context, url, cookie);
  return await context.newPage();
}

/** Every image of the page has loaded (a broken one would hide what axe checks around it). */
async function imagesLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.images].every((i) => i.complete && i.naturalWidth > 0)
  );
}

Deno.test({
  name: "every page passes axe-core's WCAG 2.1 AA checks, signed in and not",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The guide is written by the test, so auto-doc stays off.
    await using server = await startTestServer({}, { jobOptions: { kinds: ["remux"] } });
    const id = await seedReadyVideo(server, "Quarterly onboarding");
    await seedGuide(server, id);
    assert.equal((await getVideoJson(server.url, id)).visibility, "link");
    const browser = await launchBrowser();
    const failures: string[] = [];
    const checked: string[] = [];
    /** Runs axe on the page as it is, and checks it has a top-level heading. */
    const check = async (page: Page, label: string) => {
      await page.waitForLoadState("networkidle");
      const found = await seriousViolations(page);
      if (found.length > 0) failures.push(`${label}:\n${describeViolations(found)}`);
      const h1 = await page.getByRole("heading", { level: 1 }).count();
      if (h1 !== 1) failures.push(`${label}: ${h1} level-one headings, not one`);
      checked.push(label);
    };
    try {
      // Signed in, as the video's owner.
      const owner = await newPage(browser, server.url, server.cookie);
      await owner.goto(`${server.url}/`);
      await owner.getByTestId("video-card").waitFor();
      await imagesLoaded(owner);
      await check(owner, "/ (signed in)");

      await owner.goto(`${server.url}/?q=billing`);
      await owner.getByTestId("search-hit").first().waitFor();
      await check(owner, "/?q=billing (signed in)");

      await owner.goto(`${server.url}/record`);
      await owner.getByTestId("start").waitFor();
      await check(owner, "/record (signed in)");

      await owner.goto(`${server.url}/v/${id}`);
      await videoMetadata(owner);
      await owner.getByLabel("Title").waitFor(); // the owner's view, hydrated
      await owner.getByTestId("collab-status").filter({ hasText: "Live" }).waitFor();
      await owner.getByTestId("comment-input").fill("The pricing table starts here");
      await owner.getByTestId("comment-submit").click();
      await owner.getByTestId("annotation").waitFor();
      await check(owner, `/v/{id} (owner, comments)`);
      await owner.getByTestId("tab-steps").click();
      await owner.getByTestId("step").nth(1).waitFor();
      await imagesLoaded(owner);
      await check(owner, `/v/{id} (owner, steps)`);

      await owner.goto(`${server.url}/v/${id}/doc`);
      await owner.getByTestId("edit-step").first().waitFor();
      await imagesLoaded(owner);
      await check(owner, `/v/{id}/doc (owner)`);

      // Signed out: the landing page, the account pages, and the link video as a viewer.
      const anon = await newPage(browser, server.url);
      await anon.goto(`${server.url}/`);
      await check(anon, "/ (anonymous)");

      await anon.goto(`${server.url}/login`);
      await anon.getByTestId("login-form").waitFor();
      await check(anon, "/login");
      // The keyboard's focus is visible: the stylesheet's one focus ring.
      await anon.keyboard.press("Tab");
      const ring = await anon.evaluate(() => {
        const style = getComputedStyle(document.activeElement!);
        return `${document.activeElement!.tagName} ${style.outlineStyle} ${style.outlineWidth}`;
      });
      assert.match(ring, /^(A|BUTTON|INPUT) solid 2px$/, ring);

      await anon.goto(`${server.url}/signup`);
      await anon.getByTestId("signup-form").waitFor();
      await check(anon, "/signup");

      await anon.goto(`${server.url}/v/${id}`);
      await videoMetadata(anon);
      await anon.getByTestId("collab-status").filter({ hasText: "Live" }).waitFor();
      await anon.getByTestId("annotation").waitFor();
      await check(anon, `/v/{id} (anonymous viewer, comments)`);
      await anon.getByTestId("tab-steps").click();
      await anon.getByTestId("step").nth(1).waitFor();
      await imagesLoaded(anon);
      await check(anon, `/v/{id} (anonymous viewer, steps)`);

      await anon.goto(`${server.url}/v/${id}/doc`);
      await anon.getByTestId("guide-step").nth(1).waitFor();
      await imagesLoaded(anon);
      await check(anon, `/v/{id}/doc (anonymous viewer)`);

      if (failures.length > 0) {
        throw new Error(`axe-core (WCAG 2.1 AA, serious or critical):\n${failures.join("\n\n")}`);
      }
      assert.equal(checked.length, 12);
      assert.deepEqual(cspViolations(browser), [], "the pages and axe broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});
