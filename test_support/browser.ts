/** Headless Chromium for browser tests, with fake camera, microphone and screen. */
import { type Browser, chromium } from "playwright-core";

/** Where Debian's Chromium is; `CHROMIUM_PATH` overrides. */
export function chromiumPath(): string {
  return Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
}

/** Launches Chromium as the recorder tests need it. */
export async function launchBrowser(): Promise<Browser> {
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
