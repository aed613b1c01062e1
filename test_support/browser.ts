/** Headless Chromium for browser tests, with fake camera, microphone and screen. */
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** Where Debian's Chromium is; `CHROMIUM_PATH` overrides. */
export function chromiumPath(): string {
  return Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
}

const violations = new WeakMap<Browser, string[]>();

/**
 * What the Content-Security-Policy blocked in any page of this browser: a blocked script,
 * style, image, media or socket would break the page, so the browser tests check this is empty.
 */
export function cspViolations(browser: Browser): string[] {
  return violations.get(browser) ?? [];
}

/** Launches Chromium as the recorder tests need it, watching every page for CSP violations. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await launch();
  const found: string[] = [];
  violations.set(browser, found);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.on("page", (page) =>
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) found.push(m.text());
      }));
    return context;
  };
  return browser;
}

async function launch(): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/** Signs a browser context in with a session cookie (`vf_session=…`) for `url`'s host. */
export async function signInContext(context: BrowserContext, url: string, cookie: string) {
  const [name, value] = cookie.split("=", 2);
  await context.addCookies([{ name, value, url, httpOnly: true, sameSite: "Lax" }]);
}
