/**
 * Accessibility checks for the browser tests: axe-core, run in a Playwright page against the
 * WCAG 2.1 A and AA rules, reporting what it rates serious or critical.
 */
import type { Page } from "playwright-core";
import type * as Axe from "axe-core";
// A static import, so that Deno installs the package whose script is read below.
import "axe-core/package.json" with { type: "json" };

/** The axe-core tags of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** A rule the page breaks, with the elements that break it. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  /** The offending elements: a CSS selector each, with what axe found wrong (contrast ratio…). */
  targets: string[];
}

let source: Promise<string> | null = null;

/** axe-core's browser build, read once. */
function axeSource(): Promise<string> {
  source ??= Deno.readTextFile(new URL(import.meta.resolve("axe-core/axe.min.js")));
  return source;
}

/**
 * Runs axe-core on the page as it is now and returns its serious and critical WCAG 2.1 AA
 * violations. The script is evaluated through the DevTools protocol, not added as a `<script>`, so
 * the page's Content-Security-Policy (`script-src 'self'`) neither blocks nor reports it.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(await axeSource());
  return await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: typeof Axe }).axe;
    const results = await axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact as string,
        help: v.help,
        targets: v.nodes.map((n) => {
          const why = [...n.any, ...n.all, ...n.none].find((c) => c.message)?.message;
          return `${n.target.map(String).join(" ")}${why ? ` (${why})` : ""}`;
        }),
      }));
  }, WCAG_21_AA);
}

/** Each violation's rule, impact and what it asks, then its offending elements a line each. */
export function describeViolations(found: AxeViolation[]): string {
  return found.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.targets.join("\n  ")}`)
    .join("\n");
}

/**
 * Fails when axe-core finds a serious or critical WCAG 2.1 AA violation on the page; `label` names
 * the page in the message (its URL by default).
 */
export async function assertAccessible(page: Page, label = page.url()): Promise<void> {
  const found = await seriousViolations(page);
  if (found.length > 0) {
    throw new Error(
      `${label}: axe-core found serious or critical violations\n${describeViolations(found)}`,
    );
  }
}
