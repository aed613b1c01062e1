import assert from "node:assert/strict";
import { startTestServer } from "../test_support/server.ts";
import { cspViolations, launchBrowser } from "../test_support/browser.ts";

Deno.test({
  name: "sign up, sign out and sign in through the pages; a hostile name is shown as text",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using server = await startTestServer({}, { jobs: false });
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      const dialogs: string[] = [];
      page.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss()));
      const name = `<img src=x onerror=alert(1)>Ana`;
      await page.goto(`${server.url}/signup?next=/record`);
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("Email").fill("ana@example.com");
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Create the account" }).click();
      await page.waitForURL(`${server.url}/record`);
      assert.equal(await page.getByTestId("user-name").innerText(), name);
      assert.equal(await page.locator("header img").count(), 0, "the name is text, not markup");
      const cookie = (await page.context().cookies()).find((c) => c.name === "vf_session")!;
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Lax");
      assert.equal(await page.evaluate(() => document.cookie), "", "scripts cannot read it");

      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(`${server.url}/`);
      await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).click();
      await page.getByLabel("Email").fill("ana@example.com");
      await page.getByLabel("Password").fill("wrong password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "wrong email or password" }).waitFor();
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/`);
      await page.getByTestId("user-name").waitFor();
      assert.deepEqual(dialogs, []);
      assert.deepEqual(cspViolations(browser), [], "the page broke no CSP rule");
    } finally {
      await browser.close();
    }
  },
});
